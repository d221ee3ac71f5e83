"""A function's configuration as frozen data: what decides its retries, where failures end, its limits.

Both readers (a template, an account) produce these; the checks and the journeys read only these.
A value the reader could not resolve is None, and the reason is an `Unresolved` entry, so a check or
a journey that needs it says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DestinationKind = Literal["sqs", "sns", "lambda", "eventbridge", "s3", "unknown"]
StreamKind = Literal["kinesis", "dynamodb"]
InvokeKind = Literal["async", "sync"]

# AWS defaults, used when a property is absent (not when it is present and unresolvable)
DEFAULT_TIMEOUT_S = 3
DEFAULT_VISIBILITY_TIMEOUT_S = 30
DEFAULT_RETENTION_S = 345600  # SQS: 4 days
DEFAULT_STREAM_RETENTION_S = 86400  # Kinesis default, DynamoDB fixed: 24 h
DEFAULT_ASYNC_RETRIES = 2
DEFAULT_EVENT_AGE_S = 21600
DEFAULT_ACCOUNT_LIMIT = 1000
UNRESERVED_MINIMUM = 100
# The service part of a destination's ARN, and the kind of destination it is
ARN_KINDS: dict[str, DestinationKind] = {
    "sqs": "sqs",
    "sns": "sns",
    "lambda": "lambda",
    "events": "eventbridge",
    "s3": "s3",
}
# Service principals of a resource-based policy that invoke a function asynchronously, or synchronously
ASYNC_PRINCIPALS = (
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "s3.amazonaws.com",
    "logs.amazonaws.com",
    "iot.amazonaws.com",
    "ses.amazonaws.com",
    "scheduler.amazonaws.com",
)
SYNC_PRINCIPALS = ("apigateway.amazonaws.com", "elasticloadbalancing.amazonaws.com", "cognito-idp.amazonaws.com")


def kind_of_arn(arn: str) -> DestinationKind:
    parts = arn.split(":")
    return ARN_KINDS.get(parts[2], "unknown") if arn.startswith("arn:") and len(parts) > 2 else "unknown"


@dataclass(frozen=True)
class Location:
    """Where a setting lives: a template file and 1-based line, or a resource ARN."""

    resource: str
    file: str | None = None
    line: int | None = None
    arn: str | None = None

    def text(self) -> str:
        if self.file is not None:
            return f"{self.file}:{self.line}" if self.line else self.file
        return self.arn or self.resource


@dataclass(frozen=True)
class Unresolved:
    """A value the reader could not work out; `key` is what `--param KEY=VALUE` sets."""

    key: str
    what: str
    location: Location


@dataclass(frozen=True)
class Destination:
    kind: DestinationKind
    target: str
    location: Location


@dataclass(frozen=True)
class AsyncSettings:
    """The event invoke config (or its defaults): how many retries, how old an event may get, where it ends."""

    max_retry_attempts: int | None = DEFAULT_ASYNC_RETRIES
    max_event_age_s: int | None = DEFAULT_EVENT_AGE_S
    on_failure: Destination | None = None
    on_success: Destination | None = None
    location: Location | None = None  # None: no event invoke config, the defaults apply


@dataclass(frozen=True)
class Queue:
    """An SQS queue's attributes that decide a mapping's retries: the visibility timeout and redrive."""

    name: str
    location: Location
    fifo: bool = False
    visibility_timeout_s: int | None = DEFAULT_VISIBILITY_TIMEOUT_S
    visibility_location: Location | None = None
    retention_s: int | None = DEFAULT_RETENTION_S
    max_receive_count: int | None = None  # None with has_redrive False: no redrive policy
    has_redrive: bool | None = False  # None: unknown
    dead_letter_target: str | None = None
    redrive_location: Location | None = None


@dataclass(frozen=True)
class SqsMapping:
    queue: Queue
    location: Location
    batch_size: int | None = 10
    batching_window_s: int | None = 0
    max_concurrency: int | None = None
    max_concurrency_location: Location | None = None
    report_batch_item_failures: bool = False


@dataclass(frozen=True)
class StreamMapping:
    kind: StreamKind
    source: str
    location: Location
    batch_size: int | None = 100
    max_retry_attempts: int | None = -1
    max_record_age_s: int | None = -1
    bisect: bool = False
    on_failure: Destination | None = None
    parallelization_factor: int | None = 1
    report_batch_item_failures: bool = False
    retention_s: int | None = DEFAULT_STREAM_RETENTION_S


@dataclass(frozen=True)
class Trigger:
    """Something that invokes the function directly: asynchronously (SNS, EventBridge, S3...) or synchronously."""

    kind: InvokeKind
    via: str
    location: Location


@dataclass(frozen=True)
class Provisioned:
    qualifier: str  # a version number, an alias name, or "$LATEST" (which AWS refuses)
    amount: int | None
    location: Location


@dataclass(frozen=True)
class Account:
    """The account's concurrency: the total, the minimum AWS keeps unreserved, and who reserved what."""

    limit: int = DEFAULT_ACCOUNT_LIMIT
    unreserved_minimum: int = UNRESERVED_MINIMUM
    # who reserves what: the template's functions by name, or ("other functions", n) from an account
    reserved_by: tuple[tuple[str, int], ...] = ()
    from_account: bool = False

    def reserved_elsewhere(self, function: str) -> int:
        return sum(n for name, n in self.reserved_by if name != function)


@dataclass(frozen=True)
class FunctionConfig:
    name: str
    location: Location
    qualifier: str | None = None
    timeout_s: int | None = DEFAULT_TIMEOUT_S
    reserved: int | None = None
    reserved_location: Location | None = None
    reserved_unresolved: bool = False
    provisioned: tuple[Provisioned, ...] = ()
    dlq: Destination | None = None
    async_settings: AsyncSettings = field(default_factory=AsyncSettings)
    sqs: tuple[SqsMapping, ...] = ()
    streams: tuple[StreamMapping, ...] = ()
    triggers: tuple[Trigger, ...] = ()

    @property
    def async_invoked(self) -> bool:
        """Invoked asynchronously, as far as the configuration shows (an async trigger or an event invoke config)."""
        return any(t.kind == "async" for t in self.triggers) or self.async_settings.location is not None

    @property
    def sync_invoked(self) -> bool:
        return any(t.kind == "sync" for t in self.triggers)


@dataclass(frozen=True)
class Configuration:
    """What one reading found: the functions, the account around them, and what stayed unresolved."""

    source: Literal["template", "account"]
    origin: str  # the template path, or the account's region/endpoint
    functions: tuple[FunctionConfig, ...]
    account: Account = field(default_factory=Account)
    unresolved: tuple[Unresolved, ...] = ()
