"""The AWS target: real resources through boto3 (the only package that imports boto3/botocore/tenacity).

options     AwsOptions: region, profile, endpoint, run id, deadline
plan/       the deploy plan's parts, pure: records, the builder, the function, destinations,
            callers, AWS-only features (vpc, efs, code signing, kms), the dry-run text
sources/    one module per source kind (its plan parts, how a stimulus is sent, what to expect),
            and the registry kind -> source, beside the simulator's
observe/    reading a run back, pure: log lines, DLQ/destination messages, expectations
planner     build_plan: the plan of a run, built once from the parts
run/        the I/O of a run: apply (executor), schedule and drive (the stimulus), collect
cleanup/    find and delete abandoned runs' leftovers (name, tag, run-id format, liveness, own
            children); cleanup/journal: what the local run journals say
client      AwsClient: sessions, retries for throttling and eventual consistency, error lines
pages       pagination guarded against repeated markers and an upper bound
target      AwsTarget: plan -> apply -> drive -> collect -> teardown
run/journal the run journal: each create's intent written before the call, removed after teardown
run/inflight creates without an answer: found by name at teardown
run/interrupts SIGINT/SIGTERM/SIGHUP: held during a create, never during teardown, raised otherwise
run/observed on aws a report states only what was observed
"""
