"""The AWS target: real resources through boto3 (the only package that imports boto3/botocore/tenacity).

options   AwsOptions: region, profile, endpoint, run id, deadline
plan      plan(scenario, options) -> [ApiCall]; format_plan(calls) -> str   (pure, the dry run)
client    AwsClient: sessions, retries for throttling and eventual consistency, error lines
apply     Executor: apply a plan, roll back on failure or Ctrl-C, tear down in reverse
drive     the stimulus on an open-loop schedule
collect   logs, DLQs and destinations -> observations; stop at done or deadline
cleanup   find and delete leftovers by name prefix and tag
target    AwsTarget: plan -> apply -> drive -> collect -> teardown
"""
