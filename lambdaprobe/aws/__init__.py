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
cleanup   find and delete leftovers by name prefix and tag
target    AwsTarget: plan -> apply -> drive -> collect -> teardown
"""
