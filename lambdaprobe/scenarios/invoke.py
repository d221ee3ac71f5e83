"""`invoke`: one (or a few) direct invokes, sync or async, and what the caller and the function saw."""

from __future__ import annotations

from lambdaprobe.scenario import FunctionSpec, Mode, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import checked_payload_size, fail_directives, one_of, stimulus_shape, timeout_for
from lambdaprobe.scenarios.concurrency import MODES


def build(
    *, mode: str, duration: float, fail: str, init: float, timeout: float | None, count: int, interval: float,
    seed: int, payload_bytes: int | None = None,
) -> Scenario:
    one_of("--mode", mode, MODES)
    stimulus_shape(count, interval)
    default, overrides = fail_directives(fail, count, duration, init)
    fn = FunctionSpec(timeout_s=timeout_for(timeout, duration), directive=default)
    m: Mode = mode  # type: ignore[assignment]  # checked by one_of above
    return Scenario(
        probe="invoke",
        function=fn,
        stimulus=Stimulus(
            count=count, interval_s=interval, mode=m, overrides=overrides,
            payload_bytes=checked_payload_size(payload_bytes),
        ),
        source=SourceSpec(kind=m),
        seed=seed,
        params=(
            ("mode", mode), ("duration", duration), ("fail", fail), ("init", init),
            ("timeout", fn.timeout_s), ("count", count), ("interval", interval), ("seed", seed),
            *((("payload_size", payload_bytes),) if payload_bytes is not None else ()),
        ),
    )
