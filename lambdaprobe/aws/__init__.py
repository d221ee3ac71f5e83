"""The AWS target: real resources through boto3 (the only package that imports boto3/botocore/tenacity).

options   AwsOptions: region, profile, endpoint, run id, deadline
plan      plan(scenario, options) -> [ApiCall]; format_plan(calls) -> str   (pure, the dry run)
          records in plan_records; the planner's parts in plan_blocks, plan_function,
          plan_destinations, plan_sources (and plan_callers, plan_features, plan_vpc, plan_signed)
client    AwsClient: sessions, retries for throttling and eventual consistency, error lines
apply     Executor: apply a plan, roll back on failure or Ctrl-C, tear down in reverse
drive     the stimulus on an open-loop schedule
collect   logs, DLQs and destinations -> observations; stop at done or deadline
          pure parts: log_parse (log lines), message_parse (DLQ/destination messages),
          expectations (what to wait for, the deadline)
cleanup   find and delete abandoned runs' leftovers (name, tag, run-id format, liveness, own children);
          cleanup_features (vpc, efs, kms, signing, buckets), cleanup_journal (what the journals say)
target    AwsTarget: plan -> apply -> drive -> collect -> teardown
journal   the run journal: each create's intent written before the call, removed after teardown
inflight  creates without an answer: found by name at teardown
interrupts SIGINT/SIGTERM/SIGHUP: held during a create, never during teardown, raised otherwise
observed  on aws a report states only what was observed
pages     pagination guarded against repeated markers and an upper bound
"""
