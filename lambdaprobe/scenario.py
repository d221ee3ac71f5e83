"""The experiment as plain, frozen data: what to deploy, how to stimulate it, what to watch.

A Scenario is built and validated by a probe builder (`lambdaprobe.scenarios`) and handed unchanged to
a Target. Nothing here does I/O; both targets read the same fields.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

from lambdaprobe.function.directive import Directive

Mode = Literal["sync", "async"]
Qualifier = Literal["alias", "latest", "version"]
SourceKind = Literal[
    "sync", "async", "sqs", "sqs-fifo", "sns", "eventbridge", "kinesis", "dynamodb", "destination"
]
SOURCE_KINDS: tuple[SourceKind, ...] = get_args(SourceKind)
# The groups of kinds, named once. Invoked directly by the caller:
DIRECT_SOURCES: tuple[SourceKind, ...] = ("sync", "async")
# Read by an event source mapping that polls a queue, or a stream:
QUEUE_SOURCES: tuple[SourceKind, ...] = ("sqs", "sqs-fifo")
STREAM_SOURCES: tuple[SourceKind, ...] = ("kinesis", "dynamodb")
# Invoked asynchronously by the service: Lambda's async policy applies [sns.async] [eventbridge.async]
ASYNC_SOURCES: tuple[SourceKind, ...] = ("async", "sns", "eventbridge", "destination")
DlqKind = Literal["sqs", "sns"]
DestinationKind = Literal["sqs", "sns", "lambda", "eventbridge", "s3"]  # s3: on-failure only
SdkRetryMode = Literal["off", "legacy", "standard"]
Caller = Literal["sdk", "apigateway"]

ALIAS_NAME = "live"
PUBLISHED_VERSION = "1"
NEW_VERSION = "2"  # what a deployment shifts the alias to


@dataclass(frozen=True)
class FunctionSpec:
    """The probe function: its configuration and what its handler does (the directive)."""

    timeout_s: float = 3.0
    memory_mb: int = 128
    directive: Directive = field(default_factory=Directive)


@dataclass(frozen=True)
class ConcurrencySpec:
    """Reserved and provisioned concurrency, and which qualifier the stimulus calls.

    `provisioned` is configured on the qualifier called when that is the alias or the version;
    calling `latest` with provisioned > 0 puts it on the alias and calls `$LATEST` (the case where
    `$LATEST` is throttled because provisioned adds up to reserved).
    """

    reserved: int | None = None
    provisioned: int = 0
    qualifier: Qualifier = "alias"
    account_limit: int = 1000
    min_unreserved: int = 100
    env_lifetime_s: float | None = None  # None: environments live for the whole run


@dataclass(frozen=True)
class AsyncConfig:
    """The function's event invoke config, DLQ and destinations ([async.retry-config], [dlq.message],
    [destinations.record])."""

    max_retry_attempts: int = 2
    max_event_age_s: int = 21600
    dlq: DlqKind | None = None
    on_success: DestinationKind | None = None
    on_failure: DestinationKind | None = None


@dataclass(frozen=True)
class SdkConfig:
    """How the sync caller behaves ([sdk.retry-modes], [sdk.timeouts], [apigateway.integration-timeout]).

    `caller="apigateway"` is an API Gateway REST integration in front of the function: it stops
    waiting after its integration timeout (`read_timeout_s`, 29 s by default there) and answers 504.

    Probes default to `off` (one API request per call) so that what is measured is Lambda's
    behaviour, not the client's; `retry --source sync --sdk-retries legacy` shows the client's.
    """

    retry_mode: SdkRetryMode = "off"
    read_timeout_s: float = 60.0
    connect_timeout_s: float = 60.0
    caller: Caller = "sdk"


@dataclass(frozen=True)
class SqsSourceSpec:
    """An SQS queue with an event source mapping ([sqs.visibility-timeout]). FIFO or not: the source's kind."""

    visibility_timeout_s: int = 30
    max_receive_count: int | None = 3
    batch_size: int = 10
    batching_window_s: int = 0
    report_batch_item_failures: bool = False
    retention_s: int = 345600
    max_concurrency: int | None = None
    message_groups: int = 1


@dataclass(frozen=True)
class StreamSourceSpec:
    """A Kinesis or DynamoDB stream with an event source mapping ([stream.in-order])."""

    shards: int = 1
    batch_size: int = 100
    max_retry_attempts: int = -1
    max_record_age_s: int = -1
    bisect: bool = False
    report_batch_item_failures: bool = False
    parallelization_factor: int = 1
    retention_s: int = 86400
    on_failure: Literal["sqs", "sns", "s3"] | None = None
    batching_window_s: int = 0


@dataclass(frozen=True)
class SourceSpec:
    """Where the stimulus enters: a direct invoke, a queue, a topic, a bus, a stream."""

    kind: SourceKind = "sync"
    sqs: SqsSourceSpec | None = None
    stream: StreamSourceSpec | None = None

    @property
    def fifo(self) -> bool:
        """A FIFO queue: the one place this is decided."""
        return self.kind == "sqs-fifo"


@dataclass(frozen=True)
class Stimulus:
    """What is sent, and when: `count` requests, one every `interval_s`, starting at t=0.

    The directive travels in each event, so requests may differ: request i uses its entry in
    `overrides` (0-based index, directive) when it has one, else `directives[i % len(directives)]`
    when given, else the function's directive.
    `times`, when given (a traffic shape, `--arrivals`), holds each request's send time, sorted,
    and `count` is its length.
    """

    count: int = 1
    interval_s: float = 1.0
    mode: Mode = "sync"
    directives: tuple[Directive, ...] = ()
    overrides: tuple[tuple[int, Directive], ...] = ()
    payload_bytes: int | None = None  # each event padded to this size; None: as built (a few hundred bytes)
    times: array[float] | None = field(default=None, hash=False, repr=False)
    body: str | None = None  # --payload: the event's own fields as JSON text; None: the invoke template

    @cached_property
    def base(self) -> dict[str, Any] | None:
        """The event body the correlation fields go on top of (parsed once), or None: the template."""
        return None if self.body is None else dict(json.loads(self.body))

    @cached_property
    def override_map(self) -> dict[int, Directive]:
        return dict(self.overrides)

    def at(self, index: int) -> float:
        """When request `index` is sent, in seconds from the first."""
        return self.times[index] if self.times is not None else index * self.interval_s

    def directive_for(self, index: int, default: Directive) -> Directive:
        if self.overrides:
            own = self.override_map.get(index)
            if own is not None:
                return own
        return self.directives[index % len(self.directives)] if self.directives else default


def request_ids(count: int) -> list[str]:
    """The requests' ids, r01, r02, ... (as wide as `count` needs), the same on both targets."""
    template = f"r%0{max(2, len(str(count)))}d"  # %-formatting: a million ids, no format spec parsed each
    return [template % i for i in range(1, count + 1)]


@dataclass(frozen=True)
class DeploymentSpec:
    """Alias `live` shifted from version 1 to version 2 as a CodeDeploy predefined configuration does.

    Each version behaves by its own directive (on AWS: its own environment variables), so the new
    version can be made to fail and the rollback watched.
    """

    preference: str = "Canary10Percent5Minutes"
    rollback_on_error: bool = False
    new_directive: Directive = field(default_factory=Directive)
    alarm_period_s: int = 60


FeatureKind = Literal["vpc", "efs", "code-signing", "env-encryption"]


@dataclass(frozen=True)
class FeatureSpec:
    """An AWS-only feature the probe function runs with (VPC, EFS, code signing, encrypted env).

    subnets/security_groups  an existing network to attach to; empty: the run creates a minimal VPC
    host/port                where the function opens a TCP connection (vpc)
    mount_target             False: the file system gets no mount target (efs)
    policy                   CodeSigningPolicies.UntrustedArtifactOnDeployment: Enforce | Warn
    decrypt_permission       False: the role lacks kms:Decrypt (env-encryption)
    """

    kind: FeatureKind
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    host: str | None = None
    port: int = 53
    mount_target: bool = True
    policy: Literal["Enforce", "Warn"] = "Enforce"
    decrypt_permission: bool = True


@dataclass(frozen=True)
class Scenario:
    """One experiment. `params` holds every effective option, for the report."""

    probe: str
    function: FunctionSpec
    stimulus: Stimulus
    source: SourceSpec = field(default_factory=SourceSpec)
    concurrency: ConcurrencySpec = field(default_factory=ConcurrencySpec)
    async_config: AsyncConfig = field(default_factory=AsyncConfig)
    sdk: SdkConfig = field(default_factory=SdkConfig)
    deployment: DeploymentSpec | None = None
    seed: int = 0
    params: tuple[tuple[str, object], ...] = ()
    feature: FeatureSpec | None = None

    def param_dict(self) -> dict[str, object]:
        return dict(self.params)

    @property
    def is_async(self) -> bool:
        """Whether Lambda invokes the function asynchronously (its retry policy and destinations apply)."""
        kind = self.source.kind
        return kind in ASYNC_SOURCES or (kind == "sync" and self.stimulus.mode == "async")

    @property
    def called_qualifier(self) -> str:
        """The qualifier the stimulus invokes, as AWS spells it."""
        return {"alias": ALIAS_NAME, "version": PUBLISHED_VERSION, "latest": "$LATEST"}[
            self.concurrency.qualifier
        ]

    @property
    def provisioned_qualifier(self) -> str | None:
        """Where provisioned concurrency is configured (never `$LATEST` [concurrency.provisioned-spillover])."""
        if self.concurrency.provisioned == 0:
            return None
        return PUBLISHED_VERSION if self.concurrency.qualifier == "version" else ALIAS_NAME
