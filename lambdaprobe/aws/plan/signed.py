"""code-signing's signed path: the probe's zip signed by AWS Signer, then deployed. Pure data.

Signer signs only S3 objects from a versioned bucket: the plan creates the run's bucket, uploads
the zip, starts a signing job with the run's profile and waits for the signed object, which a
trial function is then created from (expected: accepted under Enforce and Warn alike).

The bucket's location must be given at CreateBucket outside us-east-1, and the planner knows the
Region only when `--region` is given: without it the signed path is left out and the report says so.
"""

from __future__ import annotations

from typing import Any

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.plan.blocks import PlanBuilder
from lambdaprobe.aws.plan.bundle import function_zip
from lambdaprobe.aws.plan.records import ApiCall, Poll, Ref

UNSIGNED_KEY = "unsigned/probe.zip"
SIGNED_PREFIX = "signed/"
SIGNING_TIMEOUT_S = 300.0


def bucket_name(options: AwsOptions) -> str:
    return options.name("artifacts")


def can_sign(options: AwsOptions) -> bool:
    """Whether the plan can create the bucket: it must know the Region for the location."""
    return options.region is not None


def plan_signed_artifact(p: PlanBuilder, profile_name: str) -> None:
    """Bucket, upload, signing job; produces `signed_key` (the signed object's key)."""
    bucket = bucket_name(p.o)
    create: dict[str, Any] = {"Bucket": bucket}
    if p.o.region != "us-east-1":  # us-east-1 refuses a location constraint, every other Region needs one
        create["CreateBucketConfiguration"] = {"LocationConstraint": p.o.region}
    p.add(
        ApiCall(
            "s3",
            "CreateBucket",
            create,
            # the executor's client empties the bucket (every version) before deleting it
            teardown=ApiCall("s3", "DeleteBucket", {"Bucket": bucket}),
        )
    )
    p.add(ApiCall("s3", "PutBucketTagging", {"Bucket": bucket, "Tagging": {"TagSet": p.tag_list()}}))
    # Signer takes a versioned source only.
    p.add(
        ApiCall("s3", "PutBucketVersioning", {"Bucket": bucket, "VersioningConfiguration": {"Status": "Enabled"}})
    )
    p.add(
        ApiCall(
            "s3",
            "PutObject",
            {"Bucket": bucket, "Key": UNSIGNED_KEY, "Body": function_zip()},
            produces="unsigned_version",
            output="VersionId",
        )
    )
    p.add(
        ApiCall(
            "signer",
            "StartSigningJob",
            {
                "source": {"s3": {"bucketName": bucket, "key": UNSIGNED_KEY, "version": Ref("unsigned_version")}},
                "destination": {"s3": {"bucketName": bucket, "prefix": SIGNED_PREFIX}},
                "profileName": profile_name,
            },
            produces="signing_job_id",
            output="jobId",
        )
    )
    p.add(
        ApiCall(
            "signer",
            "DescribeSigningJob",
            {"jobId": Ref("signing_job_id")},
            produces="signed_key",
            output="signedObject.s3.key",
            poll=Poll(
                "status",
                ("Succeeded",),
                ("Failed",),
                timeout_s=SIGNING_TIMEOUT_S,
                interval_s=3.0,
                message="waiting for the signing job",
            ),
            mutating=False,
        )
    )


def signed_code(options: AwsOptions) -> dict[str, Any]:
    """The trial function's Code: the signed object."""
    return {"S3Bucket": bucket_name(options), "S3Key": Ref("signed_key")}
