"""References between a template's resources: which function a FunctionName or ARN names, which kind of
resource a destination or a source is, and a resource's name for people."""

from __future__ import annotations

from typing import Any

from lambdaprobe.explain.model import DestinationKind, kind_of_arn
from lambdaprobe.explain.template_values import MISSING, Resolver, ResourceRef, Unresolvable

DESTINATION_TYPES: dict[str, DestinationKind] = {
    "AWS::SQS::Queue": "sqs",
    "AWS::SNS::Topic": "sns",
    "AWS::Lambda::Function": "lambda",
    "AWS::Serverless::Function": "lambda",
    "AWS::Events::EventBus": "eventbridge",
    "AWS::S3::Bucket": "s3",
}


class Refs:
    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver

    def quiet(self, node: Any) -> Any:
        try:
            return self.r.evaluate(node)
        except (Unresolvable, TypeError, ValueError, KeyError, IndexError):  # then it names no function here
            return None

    def is_for(self, fid: str, props: dict[str, Any], rid: str, key: str = "FunctionName") -> bool:
        if key not in props:
            return False
        return self.refers(fid, self.quiet(props[key]))

    def refers(self, fid: str, value: Any) -> bool:
        """Does a FunctionName/Arn value name function `fid` (directly, or through its alias or version)?"""
        if isinstance(value, ResourceRef):
            if value.logical_id == fid:
                return True
            if self.r.type_of(value.logical_id) in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                return self.is_for(fid, self.r.props(value.logical_id), value.logical_id)
            return False
        if isinstance(value, str):
            if f"${{{fid}}}" in value or f"${{{fid}.Arn}}" in value:
                return True
            name = self.r.props(fid).get("FunctionName")
            return isinstance(name, str) and (value == name or value.endswith(f":function:{name}"))
        return False

    def source_kind(self, source: Any) -> str | None:
        if isinstance(source, ResourceRef):
            return {
                "AWS::SQS::Queue": "sqs",
                "AWS::Kinesis::Stream": "kinesis",
                "AWS::DynamoDB::Table": "dynamodb",
                "AWS::DynamoDB::GlobalTable": "dynamodb",
            }.get(self.r.type_of(source.logical_id))
        if isinstance(source, str) and source.startswith("arn:"):
            service = source.split(":")[2] if source.count(":") >= 2 else ""
            return service if service in ("sqs", "kinesis", "dynamodb") else None
        return None

    def kind(self, target: Any, declared: str) -> DestinationKind:
        if declared in ("sqs", "sns", "lambda", "eventbridge", "s3"):
            return declared  # type: ignore[return-value]  # one of the literal's values, checked above
        if isinstance(target, ResourceRef):
            return DESTINATION_TYPES.get(self.r.type_of(target.logical_id), "unknown")
        if isinstance(target, str) and target.startswith("arn:") and target.count(":") >= 2:
            return kind_of_arn(target)
        return "unknown"

    @staticmethod
    def name(target: Any) -> str:
        if isinstance(target, ResourceRef):
            return target.logical_id
        return "" if target is None or target is MISSING else str(target)


def at(props: Any, path: tuple[str, ...]) -> Any:
    node = props
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
