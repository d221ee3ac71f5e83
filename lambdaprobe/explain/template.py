"""Reads an AWS SAM or CloudFormation template (YAML or JSON, short-form tags) into a Configuration.

The template is decoded by cfn-lint's decoder (the `explain` extra): it understands `!Ref`, `!GetAtt`,
`!Sub` and the other short forms, reads JSON and YAML alike, and keeps each key's line for the
findings' locations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdaprobe.errors import InputError, NotAvailableError
from lambdaprobe.explain.model import (
    DEFAULT_ACCOUNT_LIMIT,
    DEFAULT_EVENT_AGE_S,
    DEFAULT_TIMEOUT_S,
    Account,
    AsyncSettings,
    Configuration,
    Destination,
    FunctionConfig,
    Location,
    Provisioned,
    SqsMapping,
    Trigger,
)
from lambdaprobe.explain.template_refs import Refs, at
from lambdaprobe.explain.template_sources import Sources
from lambdaprobe.explain.template_values import Resolver, as_int

EXTRA_HINT = "explain --template needs the template reader: pip install 'lambdaprobe[explain]'"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def decode(path: str) -> dict[str, Any]:
    """The template as data, with line marks; InputError when it is not a template."""
    try:
        from cfnlint.decode import decode_str
    except ImportError as err:
        raise NotAvailableError(EXTRA_HINT) from err
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # editors on Windows may add a BOM
    except (OSError, UnicodeDecodeError) as err:
        raise InputError("--template", f"{path}: cannot read it ({err})") from err
    template, problems = decode_str(text)
    if template is None or not isinstance(template, dict):
        first = str(problems[0].message) if problems else "not a mapping"
        raise InputError("--template", f"{path}: not a YAML or JSON template ({' '.join(first.split())})")
    if not isinstance(template.get("Resources"), dict):
        raise InputError("--template", f"{path}: no Resources section; allowed: an AWS SAM or CloudFormation template")
    return template


def read(
    path: str, function: str | None, params: dict[str, str], account_limit: int = DEFAULT_ACCOUNT_LIMIT
) -> Configuration:
    """The functions of the template (or the one named), each with what invokes it and its limits."""
    template = decode(path)
    resolver = Resolver(template, params, path)
    reader = _Reader(resolver, template)
    ids = [i for i in resolver.resources if resolver.type_of(i) in FUNCTION_TYPES]
    if not ids:
        raise InputError("--template", f"{path}: no AWS::Lambda::Function or AWS::Serverless::Function to explain")
    if function is not None:
        if function not in ids:
            allowed = ", ".join(ids) or "none in this template"
            raise InputError("--function", f"{function!r} is not a function of {path}; allowed: {allowed}")
        ids = [function]
    functions = tuple(reader.function(i) for i in ids)
    all_reserved = {i: reader.reserved(i) for i in resolver.resources if resolver.type_of(i) in FUNCTION_TYPES}
    unknown = sorted(set(params) - resolver.used_params - set(resolver.parameters))  # a declared one is fine
    if unknown:
        raise InputError(
            "--param", f"{unknown[0]} is not used by {path}; allowed: a parameter name or LogicalId.Property"
        )
    return Configuration(
        source="template",
        origin=path,
        functions=functions,
        account=Account(limit=account_limit, reserved_by=tuple((k, v) for k, v in all_reserved.items() if v)),
        unresolved=tuple(resolver.unresolved),
    )


class _Reader:
    def __init__(self, resolver: Resolver, template: dict[str, Any]) -> None:
        self.r = resolver
        self.refs = Refs(resolver)
        self.sources = Sources(resolver, self.refs)
        globals_ = template.get("Globals")
        function_globals = globals_.get("Function") if isinstance(globals_, dict) else None
        self.globals: dict[str, Any] = dict(function_globals) if isinstance(function_globals, dict) else {}

    def props(self, logical_id: str) -> dict[str, Any]:
        own = self.r.props(logical_id)
        if self.r.type_of(logical_id) == "AWS::Serverless::Function" and self.globals:
            return {**self.globals, **own}
        return own

    def reserved(self, logical_id: str) -> int | None:
        return as_int(self.r.get(logical_id, self.props(logical_id), "ReservedConcurrentExecutions", default=None))

    def function(self, fid: str) -> FunctionConfig:
        r, props = self.r, self.props(fid)
        sam = r.type_of(fid) == "AWS::Serverless::Function"
        present = "ReservedConcurrentExecutions" in props
        reserved = r.number(fid, props, "ReservedConcurrentExecutions", default=None)
        sqs, streams, triggers = self.sources.events(fid, props) if sam else ((), (), [])
        for mapping in self.sources.mappings(fid):
            if isinstance(mapping, SqsMapping):
                sqs = (*sqs, mapping)
            else:
                streams = (*streams, mapping)
        triggers = [*triggers, *self.sources.callers(fid)]
        if sam and isinstance(props.get("FunctionUrlConfig"), dict):
            triggers.append(Trigger("sync", "function URL", r.location(fid, props, "FunctionUrlConfig")))
        alias = r.get(fid, props, "AutoPublishAlias", default=None) if sam else None
        return FunctionConfig(
            name=fid,
            location=r.location(fid),
            qualifier=str(alias) if isinstance(alias, str) else None,  # SAM's triggers call the alias
            timeout_s=r.number(fid, props, "Timeout", default=DEFAULT_TIMEOUT_S),
            reserved=reserved,
            reserved_location=r.location(fid, props, "ReservedConcurrentExecutions") if present else None,
            reserved_unresolved=present and reserved is None,
            provisioned=self._provisioned(fid, props, sam),
            dlq=self._dlq(fid, props, sam),
            async_settings=self._async(fid, props, sam),
            sqs=sqs,
            streams=streams,
            triggers=tuple(triggers),
        )

    def _dlq(self, fid: str, props: dict[str, Any], sam: bool) -> Destination | None:
        key = "DeadLetterQueue" if sam and "DeadLetterQueue" in props else "DeadLetterConfig"
        if not isinstance(props.get(key), dict):
            return None
        target = self.r.get(fid, props, key, "TargetArn", default=None)
        declared = str(self.r.get(fid, props, key, "Type", default="") or "").lower()
        kind = self.refs.kind(target, declared)
        return Destination(kind, self.refs.name(target), self.r.location(fid, props, key))

    def _provisioned(self, fid: str, props: dict[str, Any], sam: bool) -> tuple[Provisioned, ...]:
        found: list[Provisioned] = []
        # on the function itself: SAM puts it on AutoPublishAlias's alias; with no alias (or on a plain
        # AWS::Lambda::Function, where the property does not exist) it would be $LATEST
        if isinstance(props.get("ProvisionedConcurrencyConfig"), dict):
            alias = self.r.get(fid, props, "AutoPublishAlias", default=None) if sam else None
            amount = self.r.number(fid, props, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")
            location = self.r.location(fid, props, "ProvisionedConcurrencyConfig")
            found.append(Provisioned(str(alias) if alias else "$LATEST", amount, location))
        for rid in self.r.resources:
            rtype = self.r.type_of(rid)
            if rtype not in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                continue
            rprops = self.r.props(rid)
            if not isinstance(rprops.get("ProvisionedConcurrencyConfig"), dict) or not self.refs.is_for(
                fid, rprops, rid
            ):
                continue
            amount = self.r.number(rid, rprops, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")
            qualifier = rid
            if rtype == "AWS::Lambda::Alias":
                version = self.r.get(rid, rprops, "FunctionVersion", default=None)
                qualifier = "$LATEST" if version == "$LATEST" else str(self.r.get(rid, rprops, "Name", default=rid))
            found.append(Provisioned(qualifier, amount, self.r.location(rid, rprops, "ProvisionedConcurrencyConfig")))
        return tuple(found)

    def _async(self, fid: str, props: dict[str, Any], sam: bool) -> AsyncSettings:
        if sam and isinstance(props.get("EventInvokeConfig"), dict):
            return self._invoke_config(
                fid, props, ("EventInvokeConfig",), self.r.location(fid, props, "EventInvokeConfig")
            )
        for rid in self.r.resources:
            rprops = self.r.props(rid)
            if self.r.type_of(rid) == "AWS::Lambda::EventInvokeConfig" and self.refs.is_for(fid, rprops, rid):
                return self._invoke_config(rid, rprops, (), self.r.location(rid))
        return AsyncSettings()

    def _invoke_config(
        self, rid: str, props: dict[str, Any], prefix: tuple[str, ...], location: Location
    ) -> AsyncSettings:
        on: dict[str, Destination | None] = {}
        for side in ("OnFailure", "OnSuccess"):
            path = (*prefix, "DestinationConfig", side)
            node = at(props, path)
            if not isinstance(node, dict):
                on[side] = None
                continue
            target = self.r.get(rid, props, *path, "Destination", default=None)
            declared = str(self.r.get(rid, props, *path, "Type", default="") or "").lower()
            where = self.r.location(rid, at(props, path[:-1]), side)
            on[side] = Destination(
                self.refs.kind(target, declared), self.refs.name(target) or f"created by SAM ({declared})", where
            )
        return AsyncSettings(
            max_retry_attempts=self.r.number(rid, props, *prefix, "MaximumRetryAttempts", default=2),
            max_event_age_s=self.r.number(rid, props, *prefix, "MaximumEventAgeInSeconds", default=DEFAULT_EVENT_AGE_S),
            on_failure=on["OnFailure"],
            on_success=on["OnSuccess"],
            location=location,
        )
