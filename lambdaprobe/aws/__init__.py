"""The AWS target: real resources through boto3 (the only package that imports boto3/botocore/tenacity).

options     AwsOptions: region, profile, endpoint, run id, deadline
plan/       the deploy plan's parts, pure: records, the builder, the function, destinations,
            callers, AWS-only features (vpc, efs, code signing, kms), the dry-run text
sources/    one module per source kind (its plan parts, how a stimulus is sent, what to expect),
            and the registry kind -> source, beside the simulator's
observe/    reading a run back, pure: log lines, DLQ/destination messages, expectations
planner     build_plan: the plan of a run, built once from the parts
run/        the I/O of a run: apply (executor), schedule and drive (the stimulus), collect
cleanup/    find and delete leftovers by name prefix and tag
client      AwsClient: sessions, retries for throttling and eventual consistency, error lines
target      AwsTarget: plan -> apply -> drive -> collect -> teardown
"""
