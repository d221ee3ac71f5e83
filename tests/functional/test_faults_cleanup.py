"""cleanup with planted live, foreign, untagged, badly tagged and unreadable resources: only what is
provably abandoned and ours is deleted; everything else is left and said."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdaprobe.aws.cleanup.sweep import Finder, cleanup
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.pages import items
from lambdaprobe.errors import AwsError
from tests.functional.aws_helpers import clients
from tests.functional.faults import Faults, canned, operation_of
from tests.functional.test_aws_cleanup import zip_bytes

NOW = time.time()
OLD = str(int(NOW - 7200))
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def tags(run: str, **extra: str) -> dict[str, str]:
    return {"lambdaprobe:run": run, "lambdaprobe:created": OLD, **extra}


def tag_list(run: str, **extra: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags(run, **extra).items()]


def queue(c: dict[str, Any], name: str, tag: dict[str, str] | None = None) -> str:
    url = c["sqs"].create_queue(QueueName=name, tags=tag or {})["QueueUrl"]
    return str(c["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def plant(endpoint: str) -> dict[str, str]:
    c = clients(endpoint)
    session = boto3.Session(region_name="us-east-1")
    ec2 = session.client("ec2", endpoint_url=endpoint)
    kms = session.client("kms", endpoint_url=endpoint)
    # A: abandoned and wholly ours; its function has a mapping on alias `live` (a qualified ARN)
    a = "lpa0a0a1"
    source = queue(c, f"lambdaprobe-{a}-source", tags(a))
    role = c["iam"].create_role(RoleName=f"lambdaprobe-{a}-role", AssumeRolePolicyDocument=TRUST, Tags=tag_list(a))
    fn = f"lambdaprobe-{a}-probe"
    c["lambda"].create_function(
        FunctionName=fn,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="h.h",
        Code={"ZipFile": zip_bytes()},
        Tags=tags(a),
    )
    version = c["lambda"].publish_version(FunctionName=fn)["Version"]
    alias = c["lambda"].create_alias(FunctionName=fn, Name="live", FunctionVersion=version)["AliasArn"]
    c["lambda"].create_event_source_mapping(EventSourceArn=source, FunctionName=alias)
    # B: a topic of ours with someone else's subscription on it (deleting it would delete theirs)
    b = "lpb0b0b1"
    topic = c["sns"].create_topic(Name=f"lambdaprobe-{b}-dlq", Tags=tag_list(b))["TopicArn"]
    c["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue(c, "someone-elses-inbox"))
    c["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue(c, f"lambdaprobe-{b}-dlq-obs", tags(b)))
    # C: a bus of ours with someone else's rule on it
    cc = "lpc0c0c1"
    bus = f"lambdaprobe-{cc}-on-success"
    c["events"].create_event_bus(Name=bus, Tags=tag_list(cc))
    c["events"].put_rule(Name="someone-elses-rule", EventBusName=bus, EventPattern='{"source": ["x"]}')
    # D: a role of ours with a managed policy attached by someone else
    d = "lpd0d0d1"
    c["iam"].create_role(RoleName=f"lambdaprobe-{d}-role", AssumeRolePolicyDocument=TRUST, Tags=tag_list(d))
    policy = c["iam"].create_policy(
        PolicyName="someone-elses-policy",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    c["iam"].attach_role_policy(RoleName=f"lambdaprobe-{d}-role", PolicyArn=policy)
    # E: a live run (its expiry is ahead): skipped unless asked for by id
    e = "lpe0e0e1"
    queue(c, f"lambdaprobe-{e}-source", tags(e, **{"lambdaprobe:expires": str(int(NOW + 600))}))
    # V: a VPC of ours with someone else's subnet in it
    v = "lpf0f0f1"
    vpc = ec2.create_vpc(
        CidrBlock="10.91.0.0/16",
        TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"lambdaprobe-{v}-vpc"}, *tag_list(v)]}
        ],
    )["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.1.0/24")
    # K: a key of ours that cannot be read (DescribeKey denied below)
    k = "lp9a9a91"
    kms.create_key(Description=f"lambdaprobe-{k}-key", Tags=[{"TagKey": "lambdaprobe:run", "TagValue": k}])
    # not ours at all: a run id lambdaprobe never makes, and no tag
    queue(c, "lambdaprobe-ci-source", {"lambdaprobe:run": "ci"})
    queue(c, "lambdaprobe-lpabcdef-untagged")
    return {"alias": alias, "topic": topic, "bus": bus, "policy": policy, "vpc": vpc}


def deny_describe_key(event_name: str = "", **_: Any) -> Any:
    if operation_of(event_name) == "DescribeKey":
        return canned(400, b'{"__type": "AccessDeniedException", "message": "not yours"}', "application/x-amz-json-1.1")
    return None


def queue_names(endpoint: str) -> list[str]:
    """This module's queues (other tests on the shared server keep queues of their own)."""
    names = (u.rsplit("/", 1)[-1] for u in clients(endpoint)["sqs"].list_queues().get("QueueUrls", []))
    return sorted(n for n in names if n.startswith(("lambdaprobe-", "someone-elses-")))


def test_only_abandoned_resources_of_ours_are_deleted(moto_endpoint: str) -> None:
    before = set(queue_names(moto_endpoint))  # the moto server is shared by the session's tests
    planted = plant(moto_endpoint)
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint)
    client = Faults(o, {"before-send": deny_describe_key})
    try:
        result = cleanup(o, lambda found: True, client=client, now=NOW)
    finally:
        client.remove_hooks()
    c = clients(moto_endpoint)
    assert sorted(result.deleted) == [
        "iam role lambdaprobe-lpa0a0a1-role (run lpa0a0a1)",
        "lambda function lambdaprobe-lpa0a0a1-probe (run lpa0a0a1)",
        "sqs queue lambdaprobe-lpa0a0a1-source (run lpa0a0a1)",
        "sqs queue lambdaprobe-lpb0b0b1-dlq-obs (run lpb0b0b1)",
        # the topic stays (someone else's subscription is on it); the run's own subscription goes
        "what the run made in sns topic lambdaprobe-lpb0b0b1-dlq (run lpb0b0b1)",
    ]
    assert result.failed == []
    # the mapping on the alias was found through the qualified ARN, and is gone
    # (the moto server is shared by the session: only lambdaprobe's mappings are this test's concern)
    mappings = c["lambda"].list_event_source_mappings()["EventSourceMappings"]
    assert [m for m in mappings if ":function:lambdaprobe-" in m["FunctionArn"]] == []
    # containers holding what the run did not make: left, and said
    blocked = "\n".join(result.blocked)
    assert "sns topic lambdaprobe-lpb0b0b1-dlq (run lpb0b0b1): not deletable" in blocked
    assert "eventbridge bus lambdaprobe-lpc0c0c1-on-success (run lpc0c0c1): not deletable" in blocked
    assert f"attached policy {planted['policy']}" in blocked
    assert (
        "vpc lambdaprobe-lpf0f0f1-vpc (run lpf0f0f1): not deletable: holds what the run did not make: subnet" in blocked
    )
    [left] = c["sns"].list_subscriptions()["Subscriptions"]
    assert left["TopicArn"] == planted["topic"] and left["Endpoint"].endswith(":someone-elses-inbox")
    assert [r["Name"] for r in c["events"].list_rules(EventBusName=planted["bus"])["Rules"]] == ["someone-elses-rule"]
    # the live run is skipped and named; the unreadable key skipped and named; the rest went on
    assert any(
        s.startswith("sqs queue lambdaprobe-lpe0e0e1-source (run lpe0e0e1): its run is live") for s in result.skipped
    )
    assert any("kms key" in u and "AccessDeniedException" in u for u in result.unreadable)
    # only the queues this test planted: other tests' queues on the shared server are not its concern
    assert [q for q in queue_names(moto_endpoint) if q not in before] == [
        "lambdaprobe-ci-source",
        "lambdaprobe-lpabcdef-untagged",
        "lambdaprobe-lpe0e0e1-source",
        "someone-elses-inbox",
    ]
    # asked for by id, the live run goes too
    again = cleanup(o, lambda found: True, client=Faults(o), run_id="lpe0e0e1", now=NOW)
    assert again.deleted == ["sqs queue lambdaprobe-lpe0e0e1-source (run lpe0e0e1)"]
    assert "lambdaprobe-lpe0e0e1-source" not in queue_names(moto_endpoint)
    scrub(moto_endpoint, planted)


def scrub(endpoint: str, planted: dict[str, str]) -> None:
    """Remove what the test planted and cleanup rightly left, so later tests see a clean account."""
    import boto3

    c = clients(endpoint)
    for sub in c["sns"].list_subscriptions()["Subscriptions"]:
        c["sns"].unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    c["events"].delete_rule(Name="someone-elses-rule", EventBusName=planted["bus"])
    c["iam"].detach_role_policy(RoleName="lambdaprobe-lpd0d0d1-role", PolicyArn=planted["policy"])
    ec2 = boto3.Session(region_name="us-east-1").client("ec2", endpoint_url=endpoint)
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [planted["vpc"]]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    o = AwsOptions(region="us-east-1", endpoint_url=endpoint)
    for run in ("lpb0b0b1", "lpc0c0c1", "lpd0d0d1", "lpf0f0f1", "lp9a9a91"):
        assert cleanup(o, lambda found: True, client=Faults(o), run_id=run, now=NOW).failed == []
    for name in ("lambdaprobe-ci-source", "lambdaprobe-lpabcdef-untagged", "someone-elses-inbox"):
        c["sqs"].delete_queue(QueueUrl=c["sqs"].get_queue_url(QueueName=name)["QueueUrl"])


def test_a_bad_run_id_is_refused_before_any_call() -> None:
    with pytest.raises(Exception, match="--run: 'ci' is not a lambdaprobe run id"):
        cleanup(AwsOptions(endpoint_url="http://127.0.0.1:9"), lambda found: True, run_id="ci")


def test_an_abandoned_journal_finds_an_untagged_bucket_and_a_live_one_protects_its_run(
    moto_endpoint: str, private_state_dir: Path
) -> None:
    import boto3

    s3 = boto3.Session(region_name="us-east-1").client("s3", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket="lambdaprobe-lp1b1b1b-artifacts")  # killed before PutBucketTagging
    runs = private_state_dir / "runs"
    runs.mkdir(parents=True)
    entry = {
        "call": "s3.CreateBucket",
        "identity": {},
        "state": "unknown",
        "teardown": ["s3", "DeleteBucket", {"Bucket": "lambdaprobe-lp1b1b1b-artifacts"}],
    }
    common = {
        "schema": "lambdaprobe.journal/1",
        "endpoint_url": moto_endpoint,
        "region": "us-east-1",
        "entries": [entry],
    }
    (runs / "lp1b1b1b.json").write_text(json.dumps({**common, "run_id": "lp1b1b1b", "lease_until": 0}))
    clients(moto_endpoint)["sqs"].create_queue(
        QueueName="lambdaprobe-lp2c2c2c-source", tags={"lambdaprobe:run": "lp2c2c2c", "lambdaprobe:created": OLD}
    )
    (runs / "lp2c2c2c.json").write_text(
        json.dumps({**common, "run_id": "lp2c2c2c", "lease_until": NOW + 600, "entries": []})
    )
    (runs / "garbage.json").write_text("{")
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint)
    result = cleanup(o, lambda found: True, client=Faults(o), now=NOW)
    assert "s3 bucket lambdaprobe-lp1b1b1b-artifacts (run lp1b1b1b)" in result.deleted
    assert any(
        s.startswith("sqs queue lambdaprobe-lp2c2c2c-source (run lp2c2c2c): its run is live") for s in result.skipped
    )
    assert any(u.startswith("run journal garbage.json: unreadable") for u in result.unreadable)
    assert not (runs / "lp1b1b1b.json").exists() and (runs / "lp2c2c2c.json").exists()
    cleanup(o, lambda found: True, client=Faults(o), run_id="lp2c2c2c", now=NOW)


class Repeating:
    """An endpoint that answers every page with the same marker."""

    def __init__(self) -> None:
        self.calls = 0

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        return {"Functions": [], "NextMarker": "same", "EventSourceMappings": [], "Roles": [], "Marker": "same"}


def test_a_repeated_pagination_marker_stops_listing_and_is_reported() -> None:
    endpoint = Repeating()
    with pytest.raises(AwsError, match="repeated a pagination marker"):
        items(endpoint, "lambda", "ListFunctions", {}, "Functions", "Marker", "NextMarker")
    assert endpoint.calls == 2
    finder = Finder(endpoint)
    assert finder._safe(finder.functions) == [] and "repeated a pagination marker" in finder.unreadable[0]


def test_pagination_has_an_upper_bound() -> None:
    class Counting:
        n = 0

        def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
            self.n += 1
            return {"Items": [self.n], "Next": str(self.n)}

    with pytest.raises(AwsError, match="more than 5 pages"):
        items(Counting(), "x", "List", {}, "Items", "Next", "Next", max_pages=5)


def test_cleanup_dry_run_lists_and_deletes_nothing_and_skips_the_young(
    capsys: pytest.CaptureFixture[str], moto_endpoint: str
) -> None:
    from lambdaprobe.cli import main

    sqs = clients(moto_endpoint)["sqs"]
    sqs.create_queue(QueueName="lambdaprobe-lp3d3d3d-q", tags=tags("lp3d3d3d"))
    young = {"lambdaprobe:run": "lp4e4e4e", "lambdaprobe:created": str(int(time.time()))}
    sqs.create_queue(QueueName="lambdaprobe-lp4e4e4e-q", tags=young)
    argv = ["cleanup", "--target", "aws", "--endpoint-url", moto_endpoint, "--region", "us-east-1"]
    status = main([*argv, "--dry-run"])
    out, err = capsys.readouterr()
    assert status == 0 and out.startswith("found 1 (dry run: nothing deleted)")
    assert "would delete: sqs queue lambdaprobe-lp3d3d3d-q (run lp3d3d3d)" in err
    assert "skipped: sqs queue lambdaprobe-lp4e4e4e-q (run lp4e4e4e): younger than --older-than" in err
    assert {"lambdaprobe-lp3d3d3d-q", "lambdaprobe-lp4e4e4e-q"} <= set(queue_names(moto_endpoint))
    status = main([*argv, "--yes", "--run", "lp4e4e4e"])  # by id: whatever its age
    assert status == 0 and "lambdaprobe-lp4e4e4e-q" not in queue_names(moto_endpoint)
    assert main([*argv, "--yes", "--run", "lp3d3d3d"]) == 0
    assert "lambdaprobe-lp3d3d3d-q" not in queue_names(moto_endpoint)
    assert main([*argv, "--yes", "--run", "whatever"]) == 2
    capsys.readouterr()


def test_a_run_whose_process_is_gone_is_abandoned_whatever_its_tags_say(
    moto_endpoint: str, private_state_dir: Path
) -> None:
    """Killed (SIGKILL: no teardown): its journal names a pid no process has, on this machine."""
    import socket
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout)
    fresh = {"lambdaprobe:run": "lp5f5f5f", "lambdaprobe:created": OLD, "lambdaprobe:expires": str(int(NOW + 600))}
    clients(moto_endpoint)["sqs"].create_queue(QueueName="lambdaprobe-lp5f5f5f-q", tags=fresh)
    runs = private_state_dir / "runs"
    runs.mkdir(parents=True)
    journal = {
        "schema": "lambdaprobe.journal/1",
        "run_id": "lp5f5f5f",
        "endpoint_url": moto_endpoint,
        "region": "us-east-1",
        "entries": [],
        "lease_until": NOW + 600,
        "pid": pid,
        "host": socket.gethostname(),
    }
    (runs / "lp5f5f5f.json").write_text(json.dumps(journal))
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint)
    result = cleanup(o, lambda found: True, client=Faults(o), now=NOW)
    assert "sqs queue lambdaprobe-lp5f5f5f-q (run lp5f5f5f)" in result.deleted
    assert not (runs / "lp5f5f5f.json").exists()
