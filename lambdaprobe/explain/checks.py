"""The findings catalogue: configurations that lose events or money, each with a stable id and its source.

A check reads only the Configuration. A value that stayed unresolved never fires a check (it is
reported as unresolved instead): a finding must rest on a value the reader actually found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from lambdaprobe.explain.model import Account, FunctionConfig, Location, StreamMapping

Severity = Literal["warning", "error"]
SEVERITY_ORDER: dict[str, int] = {"warning": 1, "error": 2}
VISIBILITY_FACTOR = 6  # AWS: set the queue's visibility timeout to at least 6 x the function timeout


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    title: str
    url: str

    @property
    def rules(self) -> tuple[str, ...]:
        """The model's rules behind it (`lambdaprobe rules ID`)."""
        from lambdaprobe.explain.rule_refs import FINDING_RULES

        return tuple(r.value for r in FINDING_RULES.get(self.id, ()))


@dataclass(frozen=True)
class Finding:
    id: str
    severity: Severity
    function: str
    message: str
    location: Location
    url: str


SQS_CONFIGURE = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
SQS_ERRORS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html"
SQS_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
ASYNC_ERRORS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"
ASYNC_RETAIN = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"
KINESIS_ERRORS = "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html"
DDB_ERRORS = "https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html"
PROVISIONED = "https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html"
RESERVED = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"

CATALOGUE: tuple[Check, ...] = (
    Check(
        "explain.sqs-visibility-timeout",
        "warning",
        "SQS visibility timeout below 6 x the function timeout (an error below 1 x: AWS refuses the mapping)",
        SQS_CONFIGURE,
    ),
    Check(
        "explain.sqs-no-redrive",
        "error",
        "SQS source queue without a redrive policy: a failing message is retried until the retention period deletes it",
        SQS_ERRORS,
    ),
    Check(
        "explain.sqs-max-receive-count-1",
        "warning",
        "SQS redrive maxReceiveCount 1: one failed or throttled receive sends the message to the DLQ, no retry",
        SQS_ERRORS,
    ),
    Check(
        "explain.dlq-on-sqs-only-function",
        "warning",
        "function DLQ on a function only triggered by SQS: it never receives anything (the queue's redrive "
        "policy decides)",
        ASYNC_RETAIN,
    ),
    Check(
        "explain.stream-retry-forever",
        "error",
        "stream mapping retrying for ever with no bisect and no on-failure destination: one bad record blocks "
        "its shard until it expires, then is lost",
        KINESIS_ERRORS,
    ),
    Check(
        "explain.async-event-age-short",
        "warning",
        "async MaximumEventAgeInSeconds shorter than the retries MaximumRetryAttempts allows",
        ASYNC_ERRORS,
    ),
    Check(
        "explain.async-no-failure-destination",
        "error",
        "async-invoked function with no DLQ and no on-failure destination: a failing event is discarded "
        "after its retries",
        ASYNC_RETAIN,
    ),
    Check(
        "explain.reserved-below-sqs-max-concurrency",
        "warning",
        "reserved concurrency below an SQS mapping's maximum concurrency: the poller is throttled and "
        "throttled receives count toward maxReceiveCount",
        SQS_SCALING,
    ),
    Check(
        "explain.provisioned-on-latest",
        "error",
        "provisioned concurrency on $LATEST: AWS accepts it only on a published version or an alias of one",
        PROVISIONED,
    ),
    Check(
        "explain.reserved-exceeds-unreserved-minimum",
        "error",
        "reserved concurrency that would leave the account fewer unreserved executions than AWS's minimum: "
        "AWS refuses it",
        RESERVED,
    ),
)
BY_ID: dict[str, Check] = {c.id: c for c in CATALOGUE}


def async_retry_span_s(retries: int, attempt_s: float) -> float:
    """When the last allowed retry starts, each failing attempt lasting `attempt_s`: Lambda waits 1 minute
    before the first retry and 2 minutes before the second."""
    return retries * attempt_s + 60 * retries * (retries + 1) / 2


def run(fn: FunctionConfig, account: Account, attempt_s: float | None = None) -> list[Finding]:
    """Every finding of one function, in catalogue order. `attempt_s`: how long a failing attempt
    runs (default: the whole function timeout, the worst case)."""
    found = [f for check in _CHECKS for f in check(fn, account, attempt_s)]
    order = {c.id: i for i, c in enumerate(CATALOGUE)}
    return sorted(found, key=lambda f: order[f.id])


def _finding(
    check_id: str, fn: FunctionConfig, message: str, location: Location, severity: Severity | None = None
) -> Finding:
    check = BY_ID[check_id]
    return Finding(check_id, severity or check.severity, fn.name, message, location, check.url)


def _visibility(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    for m in fn.sqs:
        q = m.queue
        if q.visibility_timeout_s is None or fn.timeout_s is None:
            continue
        where = q.visibility_location or q.location
        if q.visibility_timeout_s < fn.timeout_s:
            yield _finding(
                "explain.sqs-visibility-timeout",
                fn,
                f"queue {q.name}: visibility timeout {q.visibility_timeout_s} s is below the function timeout "
                f"{fn.timeout_s} s; AWS refuses to create or update the mapping",
                where,
                "error",
            )
        elif q.visibility_timeout_s < VISIBILITY_FACTOR * fn.timeout_s:
            yield _finding(
                "explain.sqs-visibility-timeout",
                fn,
                f"queue {q.name}: visibility timeout {q.visibility_timeout_s} s is below 6 x the function "
                f"timeout ({VISIBILITY_FACTOR * fn.timeout_s} s): a throttled or slow batch reappears while "
                "it still runs, and counts another receive",
                where,
            )


def _redrive(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    for m in fn.sqs:
        q = m.queue
        where = q.redrive_location or q.location
        if q.has_redrive is False:
            days = f"{q.retention_s / 86400:g} days" if q.retention_s is not None else "the retention period"
            yield _finding(
                "explain.sqs-no-redrive",
                fn,
                f"queue {q.name} has no redrive policy: a failing message is received again every "
                f"visibility timeout until its retention ({days}) deletes it, unseen",
                where,
            )
        elif q.has_redrive and q.max_receive_count == 1:
            yield _finding(
                "explain.sqs-max-receive-count-1",
                fn,
                f"queue {q.name}: maxReceiveCount 1 moves a message to {q.dead_letter_target or 'the DLQ'} after "
                "one failed (or throttled) receive, with no retry",
                where,
            )


def _dlq_unused(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    if fn.dlq is not None and fn.sqs and not fn.streams and not fn.triggers and fn.async_settings.location is None:
        yield _finding(
            "explain.dlq-on-sqs-only-function",
            fn,
            f"DLQ {fn.dlq.target or fn.dlq.kind} on a function invoked only by SQS: the poller invokes "
            "synchronously, so the DLQ never receives anything; failed messages follow the source "
            "queue's redrive policy",
            fn.dlq.location,
        )


def _stream_forever(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    for s in fn.streams:
        if s.max_retry_attempts == -1 and s.max_record_age_s == -1 and not s.bisect and s.on_failure is None:
            yield Finding(
                "explain.stream-retry-forever",
                "error",
                fn.name,
                f"{s.kind} stream {s.source}: MaximumRetryAttempts -1 and MaximumRecordAgeInSeconds -1, no "
                f"bisect, no on-failure destination: a failing batch blocks its shard for up to "
                f"{(s.retention_s or 86400) / 3600:g} h, then its records are lost",
                s.location,
                _stream_url(s),
            )


def _stream_url(s: StreamMapping) -> str:
    return KINESIS_ERRORS if s.kind == "kinesis" else DDB_ERRORS


def _event_age(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    a = fn.async_settings
    if a.location is None or a.max_retry_attempts is None or a.max_event_age_s is None or a.max_retry_attempts < 1:
        return
    attempt = attempt_s if attempt_s is not None else fn.timeout_s
    if attempt is None:
        return
    needed = async_retry_span_s(a.max_retry_attempts, attempt)
    if a.max_event_age_s < needed:
        yield _finding(
            "explain.async-event-age-short",
            fn,
            f"MaximumEventAgeInSeconds {a.max_event_age_s} s is shorter than the {needed:g} s after which "
            f"the last of MaximumRetryAttempts {a.max_retry_attempts} starts (failing attempts of "
            f"{attempt:g} s, retries 1 and 2 min apart): that retry never runs",
            a.location,
        )


def _no_failure_destination(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    if fn.async_invoked and fn.dlq is None and fn.async_settings.on_failure is None:
        via = ", ".join(t.via for t in fn.triggers if t.kind == "async") or "an event invoke config"
        where = fn.async_settings.location or next((t.location for t in fn.triggers if t.kind == "async"), fn.location)
        yield _finding(
            "explain.async-no-failure-destination",
            fn,
            f"invoked asynchronously ({via}) with no DLQ and no on-failure destination: an event that "
            "still fails after its retries is discarded",
            where,
        )


def _reserved_vs_sqs(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    if fn.reserved is None:
        return
    for m in fn.sqs:
        if m.max_concurrency is not None and fn.reserved < m.max_concurrency:
            yield _finding(
                "explain.reserved-below-sqs-max-concurrency",
                fn,
                f"reserved concurrency {fn.reserved} is below the maximum concurrency {m.max_concurrency} of "
                f"the mapping on {m.queue.name}: its extra batches are throttled, and each throttled "
                "receive counts toward maxReceiveCount",
                m.max_concurrency_location or m.location,
            )


def _provisioned_latest(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    for p in fn.provisioned:
        if p.qualifier == "$LATEST":
            yield _finding(
                "explain.provisioned-on-latest",
                fn,
                f"provisioned concurrency{'' if p.amount is None else f' {p.amount}'} on $LATEST: AWS "
                "refuses it (publish a version or use an alias, e.g. SAM's AutoPublishAlias)",
                p.location,
            )


def _reserved_possible(fn: FunctionConfig, account: Account, attempt_s: float | None) -> Iterator[Finding]:
    if fn.reserved is None:
        return
    others = account.reserved_elsewhere(fn.name)
    reservable = account.limit - account.unreserved_minimum - others
    if fn.reserved > reservable:
        yield _finding(
            "explain.reserved-exceeds-unreserved-minimum",
            fn,
            f"reserved concurrency {fn.reserved} exceeds what the account can reserve ({reservable}: limit "
            f"{account.limit} - {account.unreserved_minimum} kept unreserved - {others} reserved elsewhere); "
            "AWS refuses it (ask for a higher concurrency quota)",
            fn.reserved_location or fn.location,
        )


_CHECKS: tuple[Callable[[FunctionConfig, Account, float | None], Iterator[Finding]], ...] = (
    _visibility,
    _redrive,
    _dlq_unused,
    _stream_forever,
    _event_age,
    _no_failure_destination,
    _reserved_vs_sqs,
    _provisioned_latest,
    _reserved_possible,
)
