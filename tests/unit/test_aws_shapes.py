"""The model's records beside examples AWS recorded (tests/fixtures/aws_shapes, each naming its
source), compared field by field: the same keys at every level, the same value types, equal values
where the example's are not run-specific, run-specific ones in the recorded form."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.analysis import analyse
from lambdaprobe.function.directive import Directive
from lambdaprobe.scenario import AsyncConfig, ConcurrencySpec, StreamSourceSpec
from lambdaprobe.sim.target import SimTarget
from tests.helpers import direct, simulate
from tests.unit.sim_sources_helpers import scenario as source_scenario

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aws_shapes"


def differences(fixture: dict[str, Any], actual: Any) -> list[str]:
    equal, patterns, opaque = set(fixture["equal"]), fixture["patterns"], set(fixture["opaque"])
    found: list[str] = []

    def walk(want: Any, got: Any, path: str) -> None:
        if path in opaque:
            if got is None and want is not None:
                found.append(f"{path}: missing")
            return
        if isinstance(want, dict):
            if not isinstance(got, dict):
                found.append(f"{path}: {type(got).__name__}, recorded an object")
                return
            for key in sorted(set(want) ^ set(got)):
                found.append(f"{path}.{key}".lstrip(".") + (": missing" if key in want else ": not in the recording"))
            for key in set(want) & set(got):
                walk(want[key], got[key], f"{path}.{key}".lstrip("."))
        elif isinstance(want, list):
            if not isinstance(got, list) or bool(want) != bool(got):
                found.append(f"{path}: {got!r}, recorded {want!r}")
                return
            for i, item in enumerate(got[: len(want)]):
                indexed = f"{path}[{i}]"
                walk(want[min(i, len(want) - 1)], item, indexed if indexed in patterns else f"{path}[]")
        elif path in equal:
            if got != want:
                found.append(f"{path}: {got!r}, recorded {want!r}")
        elif path in patterns:
            if not isinstance(got, str) or not re.fullmatch(patterns[path], got, re.DOTALL):
                found.append(f"{path}: {got!r} is not in the recorded form {patterns[path]!r}")
        elif type(got) is not type(want):
            found.append(f"{path}: {type(got).__name__}, recorded {type(want).__name__}")

    walk(fixture["example"], actual, "")
    for a, b in fixture["same"]:
        if _at(actual, a) != _at(actual, b):
            found.append(f"{a} and {b} differ")
    return found


def _at(data: Any, path: str) -> Any:
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


FAIL = Directive(duration_s=0.5, fail="always", init_s=0.0)


def _async(**config: Any) -> Any:
    return simulate(direct(mode="async", fail="always", async_config=AsyncConfig(**config))).to_json()


def async_on_failure_retries_exhausted() -> Any:
    return _async(on_failure="sqs")["destinations"][0]["record"]


def dlq_message_attributes() -> Any:
    return _async(dlq="sqs")["dead_letters"][0]["attributes"]


def timeout_response_payload() -> Any:
    scenario = direct(mode="async", duration=5.0, timeout=1.0, async_config=AsyncConfig(on_failure="sqs"))
    return simulate(scenario).to_json()["destinations"][0]["record"]["responsePayload"]


def kinesis_on_failure_record() -> Any:
    scenario = source_scenario(
        "kinesis", directive=FAIL, stream=StreamSourceSpec(max_retry_attempts=0, on_failure="sqs")
    )
    scenario = replace(scenario, concurrency=ConcurrencySpec(qualifier="latest"))  # mapped on the function
    return analyse(scenario, SimTarget().run(scenario)).to_json()["destinations"][0]["record"]


def zero_reserved_concurrency_record() -> Any:
    scenario = direct(
        mode="async", concurrency=ConcurrencySpec(reserved=0), async_config=AsyncConfig(on_failure="sqs")
    )
    return simulate(scenario).to_json()["destinations"][0]["record"]


def eventbridge_destination_envelope() -> Any:
    # attempts of 0.25 s: the record leaves at 180.75 s, and the envelope's time keeps whole seconds
    scenario = direct(mode="async", fail="always", duration=0.25, async_config=AsyncConfig(on_failure="eventbridge"))
    return simulate(scenario).to_json()["destinations"][0]["record"]


def throttle_error_body() -> Any:
    scenario = direct(count=2, interval=0.0, duration=5.0, concurrency=ConcurrencySpec(reserved=1))
    client = simulate(scenario).to_json()["requests"][1]["client"]
    return {"Reason": client["reason"], "Type": client["type"], "message": client["message"]}


MODEL: dict[str, Callable[[], Any]] = {
    f.__name__: f
    for f in (
        async_on_failure_retries_exhausted, dlq_message_attributes, timeout_response_payload,
        kinesis_on_failure_record, zero_reserved_concurrency_record, eventbridge_destination_envelope,
        throttle_error_body,
    )
}


def test_every_fixture_has_a_source_and_a_model_counterpart() -> None:
    names = {p.stem for p in FIXTURES.glob("*.json")}
    assert names == set(MODEL)
    for path in FIXTURES.glob("*.json"):
        fixture = json.loads(path.read_text(encoding="utf-8"))
        assert fixture["source"].startswith("https://") and fixture["recorded"]


@pytest.mark.parametrize("name", sorted(MODEL))
def test_the_model_emits_the_recorded_shape(name: str) -> None:
    fixture = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert differences(fixture, MODEL[name]()) == []


def test_the_comparison_sees_a_wrong_field_an_extra_one_and_a_missing_one() -> None:
    fixture = json.loads((FIXTURES / "zero_reserved_concurrency_record.json").read_text(encoding="utf-8"))
    record = zero_reserved_concurrency_record()
    wrong = {**record, "requestContext": {**record["requestContext"], "condition": "RetriesExhausted"}}
    extra = {**record, "responseContext": {"statusCode": 429}}
    missing = {k: v for k, v in record.items() if k != "timestamp"}
    assert differences(fixture, wrong) == [
        "requestContext.condition: 'RetriesExhausted', recorded 'ZeroReservedConcurrency'"
    ]
    assert differences(fixture, extra) == ["responseContext: not in the recording"]
    assert differences(fixture, missing) == ["timestamp: missing"]
