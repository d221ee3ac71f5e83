"""The findings catalogue at its boundaries: each check fires on the wrong side of its limit only."""

from __future__ import annotations

import pytest

from lambdaprobe.explain import checks
from lambdaprobe.explain.model import (
    Account,
    AsyncSettings,
    Destination,
    FunctionConfig,
    Location,
    Provisioned,
    Queue,
    SqsMapping,
    StreamMapping,
    Trigger,
)

HERE = Location(resource="fn", arn="arn:aws:lambda:us-east-1:123456789012:function:fn")
DLQ = Location(resource="dlq")


def queue(visibility: int | None = 180, receives: int | None = 5, redrive: bool | None = True) -> Queue:
    return Queue(
        name="q",
        location=HERE,
        visibility_timeout_s=visibility,
        has_redrive=redrive,
        max_receive_count=receives if redrive else None,
        dead_letter_target="dlq",
    )


def fn(**kw: object) -> FunctionConfig:
    return FunctionConfig(name="fn", location=HERE, **kw)  # type: ignore[arg-type]


def ids(f: FunctionConfig, account: Account | None = None, attempt_s: float | None = None) -> list[tuple[str, str]]:
    return [(x.id, x.severity) for x in checks.run(f, account or Account(), attempt_s)]


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        (180, []),
        (179, [("explain.sqs-visibility-timeout", "warning")]),
        (30, [("explain.sqs-visibility-timeout", "warning")]),
        (29, [("explain.sqs-visibility-timeout", "error")]),
        (None, []),
    ],
)
def test_visibility_timeout_against_6x_and_1x_the_function_timeout(
    visibility: int | None, expected: list[object]
) -> None:
    f = fn(timeout_s=30, sqs=(SqsMapping(queue=queue(visibility), location=HERE),))
    assert ids(f) == expected


@pytest.mark.parametrize(
    ("redrive", "receives", "expected"),
    [
        (True, 5, []),
        (True, 2, []),
        (True, 1, ["explain.sqs-max-receive-count-1"]),
        (False, None, ["explain.sqs-no-redrive"]),
        (None, None, []),
    ],
)
def test_redrive(redrive: bool | None, receives: int | None, expected: list[str]) -> None:
    f = fn(timeout_s=30, sqs=(SqsMapping(queue=queue(180, receives, redrive), location=HERE),))
    assert [i for i, _ in ids(f)] == expected


def test_a_function_dlq_fires_only_when_sqs_is_the_only_trigger() -> None:
    sqs = (SqsMapping(queue=queue(), location=HERE),)
    dlq = Destination("sqs", "dlq", DLQ)
    assert [i for i, _ in ids(fn(timeout_s=30, dlq=dlq, sqs=sqs))] == ["explain.dlq-on-sqs-only-function"]
    sns = (Trigger("async", "SNS", HERE),)
    assert ids(fn(timeout_s=30, dlq=dlq, sqs=sqs, triggers=sns)) == []  # the SNS invokes are async: the DLQ serves them
    assert ids(fn(timeout_s=30, dlq=dlq)) == []  # no trigger seen: direct async invokes may use it


@pytest.mark.parametrize(
    ("retries", "age", "bisect", "destination", "fires"),
    [
        (-1, -1, False, False, True),
        (-1, -1, True, False, False),
        (-1, -1, False, True, False),
        (10, -1, False, False, False),
        (-1, 3600, False, False, False),
    ],
)
def test_stream_retrying_for_ever(retries: int, age: int, bisect: bool, destination: bool, fires: bool) -> None:
    on_failure = Destination("sqs", "failed", HERE) if destination else None
    stream = StreamMapping(
        kind="kinesis",
        source="s",
        location=HERE,
        max_retry_attempts=retries,
        max_record_age_s=age,
        bisect=bisect,
        on_failure=on_failure,
    )
    assert bool(ids(fn(streams=(stream,)))) is fires


@pytest.mark.parametrize(
    ("retries", "age", "attempt_s", "fires"),
    # retry 1 starts 60 s after attempt 1 ends, retry 2 120 s after retry 1 ends
    [
        (2, 299, 60, True),
        (2, 300, 60, False),
        (2, 179, 0, True),
        (2, 180, 0, False),
        (1, 119, 60, True),
        (1, 120, 60, False),
        (0, 60, 60, False),
    ],
)
def test_event_age_against_the_retries_it_allows(retries: int, age: int, attempt_s: float, fires: bool) -> None:
    settings = AsyncSettings(
        max_retry_attempts=retries, max_event_age_s=age, on_failure=Destination("sqs", "f", HERE), location=HERE
    )
    found = ids(fn(timeout_s=60, async_settings=settings), attempt_s=attempt_s)
    assert (found == [("explain.async-event-age-short", "warning")]) is fires


def test_async_invoked_without_dlq_or_destination() -> None:
    sns = (Trigger("async", "SNS topic t", HERE),)
    assert ids(fn(triggers=sns)) == [("explain.async-no-failure-destination", "error")]
    assert ids(fn(triggers=sns, dlq=Destination("sns", "t", DLQ))) == []
    settings = AsyncSettings(on_failure=Destination("eventbridge", "bus", HERE), location=HERE)
    assert ids(fn(triggers=sns, async_settings=settings)) == []
    assert ids(fn(triggers=(Trigger("sync", "API", HERE),))) == []


@pytest.mark.parametrize(
    ("reserved", "maximum", "fires"), [(5, 50, True), (50, 50, False), (None, 50, False), (5, None, False)]
)
def test_reserved_below_the_mapping_maximum(reserved: int | None, maximum: int | None, fires: bool) -> None:
    f = fn(timeout_s=30, reserved=reserved, sqs=(SqsMapping(queue=queue(), location=HERE, max_concurrency=maximum),))
    assert bool(ids(f)) is fires


def test_provisioned_on_latest_only() -> None:
    assert ids(fn(provisioned=(Provisioned("live", 2, HERE), Provisioned("3", 1, HERE)))) == []
    assert ids(fn(provisioned=(Provisioned("$LATEST", 2, HERE),))) == [("explain.provisioned-on-latest", "error")]


@pytest.mark.parametrize(
    ("reserved", "account", "fires"),
    [
        (900, Account(), False),
        (901, Account(), True),
        (1, Account(limit=10), True),
        (400, Account(reserved_by=(("fn", 400), ("other", 500))), False),
        (401, Account(reserved_by=(("fn", 401), ("other", 500))), True),
    ],
)
def test_reserved_within_what_the_account_may_reserve(reserved: int, account: Account, fires: bool) -> None:
    assert bool(ids(fn(reserved=reserved), account)) is fires


def test_the_catalogue_ids_are_unique_and_each_has_an_aws_url() -> None:
    assert len({c.id for c in checks.CATALOGUE}) == len(checks.CATALOGUE)
    assert all(
        c.url.startswith("https://docs.aws.amazon.com/") and c.id.startswith("explain.") for c in checks.CATALOGUE
    )
