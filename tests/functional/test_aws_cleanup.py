"""cleanup: removes planted lambdaprobe leftovers (prefix AND tag) and nothing else."""

from __future__ import annotations

import io
import json
import time
import zipfile

from lambdaprobe.aws.cleanup.sweep import cleanup, find_leftovers
from lambdaprobe.aws.options import AwsOptions
from tests.functional.aws_helpers import clients, inventory
from tests.functional.test_aws_deploy import warm_client

RUN = "lpc1ea01"
TAG = {"lambdaprobe:run": RUN}
TAG_LIST = [{"Key": "lambdaprobe:run", "Value": RUN}]


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(e, c):\n    return e\n")
    return buf.getvalue()


def plant(endpoint: str) -> None:
    c = clients(endpoint)
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    role = c["iam"].create_role(
        RoleName=f"lambdaprobe-{RUN}-role", AssumeRolePolicyDocument=trust, Tags=TAG_LIST
    )
    c["iam"].put_role_policy(
        RoleName=f"lambdaprobe-{RUN}-role",
        PolicyName=f"lambdaprobe-{RUN}-policy",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
            }
        ),
    )
    c["iam"].create_role(RoleName="lambdaprobe-lpuntag0-role", AssumeRolePolicyDocument=trust)
    c["lambda"].create_function(
        FunctionName=f"lambdaprobe-{RUN}-probe",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": zip_bytes()},
        Tags=TAG,
    )
    c["lambda"].create_function(
        FunctionName="lambdaprobe-lpuntag0-probe",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": zip_bytes()},
    )
    queue = c["sqs"].create_queue(QueueName=f"lambdaprobe-{RUN}-source", tags=TAG)["QueueUrl"]
    arn = c["sqs"].get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    c["lambda"].create_event_source_mapping(EventSourceArn=arn, FunctionName=f"lambdaprobe-{RUN}-probe")
    c["sqs"].create_queue(QueueName="lambdaprobe-lpuntag0-q")
    c["sqs"].create_queue(QueueName="someone-elses-queue", tags=TAG)
    topic = c["sns"].create_topic(Name=f"lambdaprobe-{RUN}-dlq", Tags=TAG_LIST)["TopicArn"]
    c["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    c["events"].create_event_bus(Name=f"lambdaprobe-{RUN}-on-success", Tags=TAG_LIST)
    c["events"].put_rule(
        Name=f"lambdaprobe-{RUN}-on-success-rule",
        EventBusName=f"lambdaprobe-{RUN}-on-success",
        EventPattern='{"source": ["lambda"]}',
    )
    c["events"].put_targets(
        Rule=f"lambdaprobe-{RUN}-on-success-rule",
        EventBusName=f"lambdaprobe-{RUN}-on-success",
        Targets=[{"Id": "lambdaprobe", "Arn": arn}],
    )
    c["kinesis"].create_stream(StreamName=f"lambdaprobe-{RUN}-source", ShardCount=1)
    c["kinesis"].add_tags_to_stream(StreamName=f"lambdaprobe-{RUN}-source", Tags=TAG)
    c["dynamodb"].create_table(
        TableName=f"lambdaprobe-{RUN}-source",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        Tags=TAG_LIST,
    )
    c["logs"].create_log_group(logGroupName=f"/aws/lambda/lambdaprobe-{RUN}-probe", tags=TAG)
    c["logs"].create_log_group(logGroupName="/aws/lambda/lambdaprobe-lpuntag0-probe")


def test_cleanup_lists_then_deletes_only_tagged_prefixed_resources(moto_endpoint: str) -> None:
    plant(moto_endpoint)
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint)
    client = warm_client(o)
    asked: list[list[str]] = []

    def refuse(items: list[str]) -> bool:
        asked.append(items)
        return False

    refused = cleanup(o, refuse, client=client)
    assert refused.deleted == [] and inventory(moto_endpoint, RUN)  # said no: nothing touched
    listed = asked[0]
    assert len(listed) == 8, "\n".join(listed)
    assert all(RUN in item for item in listed)
    kinds = {item.split(" lambdaprobe-")[0].split(" /aws")[0] for item in listed}
    assert kinds == {
        "lambda function",
        "iam role",
        "sqs queue",
        "sns topic",
        "eventbridge bus",
        "kinesis stream",
        "dynamodb table",
        "log group",
    }

    messages: list[str] = []
    result = cleanup(o, lambda items: True, progress=messages.append, client=client)
    assert result.failed == [] and len(result.deleted) == 8
    assert inventory(moto_endpoint, RUN) == {}
    left = inventory(moto_endpoint, "lpuntag0")
    assert left["roles"] == ["lambdaprobe-lpuntag0-role"]
    assert left["functions"] == ["lambdaprobe-lpuntag0-probe"]
    assert left["log groups"] == ["/aws/lambda/lambdaprobe-lpuntag0-probe"]
    assert any(
        u.endswith("/someone-elses-queue") for u in clients(moto_endpoint)["sqs"].list_queues()["QueueUrls"]
    )
    assert clients(moto_endpoint)["lambda"].list_event_source_mappings()["EventSourceMappings"] == []
    assert clients(moto_endpoint)["sns"].list_subscriptions()["Subscriptions"] == []


def test_older_than_uses_the_created_tag(moto_endpoint: str) -> None:
    sqs = clients(moto_endpoint)["sqs"]
    now = time.time()
    sqs.create_queue(
        QueueName="lambdaprobe-lpa1d000-q",
        tags={"lambdaprobe:run": "lpa1d000", "lambdaprobe:created": str(int(now - 3 * 3600))},
    )
    sqs.create_queue(
        QueueName="lambdaprobe-lpbe0000-q",
        tags={"lambdaprobe:run": "lpbe0000", "lambdaprobe:created": str(int(now))},
    )
    client = warm_client(AwsOptions(region="us-east-1", endpoint_url=moto_endpoint))
    old = [f.name for f in find_leftovers(client, older_than_s=2 * 3600, now=now)]
    assert "lambdaprobe-lpa1d000-q" in old and "lambdaprobe-lpbe0000-q" not in old
    o = AwsOptions(region="us-east-1", endpoint_url=moto_endpoint)
    cleanup(o, lambda items: True, older_than_s=2 * 3600, client=client)
    names = [u.rsplit("/", 1)[-1] for u in sqs.list_queues()["QueueUrls"]]
    assert "lambdaprobe-lpbe0000-q" in names and "lambdaprobe-lpa1d000-q" not in names
    cleanup(o, lambda items: True, client=client)
