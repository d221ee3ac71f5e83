"""The AWS target: real resources through boto3 (the only package that imports boto3/botocore/tenacity).

options   AwsOptions: region, profile, endpoint, run id, deadline
plan/     the deploy plan, pure: records, the planner's blocks, the function, destinations,
          sources, callers, AWS-only features (vpc, efs, code signing, kms)
observe/  reading a run back, pure: log lines, DLQ/destination messages, what to expect, the deadline
run/      the I/O of a run: apply (executor), drive (the stimulus), collect (logs and queues)
cleanup/  find and delete leftovers by name prefix and tag
client    AwsClient: sessions, retries for throttling and eventual consistency, error lines
target    AwsTarget: plan -> apply -> drive -> collect -> teardown
"""
