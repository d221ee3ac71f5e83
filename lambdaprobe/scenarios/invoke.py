"""`invoke`: one (or a few) direct invokes, sync or async, and what the caller and the function saw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaprobe.answer import missing, plural, seconds
from lambdaprobe.report import Finding, Report
from lambdaprobe.scenario import FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import (
    FAIL_HELP,
    MAX_COUNT,
    MAX_DURATION_S,
    MAX_INIT_S,
    MAX_INTERVAL_S,
    PAYLOAD_HELP,
    PAYLOAD_SIZE_MAX,
    TIMEOUT_RANGE,
    checked_payload,
    fail_directives,
    stimulus_shape,
    timeout_for,
)
from lambdaprobe.scenarios.concurrency import MODES
from lambdaprobe.scenarios.declare import check, choose, option, params


@dataclass(frozen=True)
class InvokeOptions:
    """The invoke command's options, declared once."""

    mode: str = option("sync", "sync (RequestResponse: waits, 200) or async (Event: 202 at once).", choices=MODES)
    duration: float = option(1.0, "Seconds the handler runs.", low=0, high=MAX_DURATION_S)
    fail: str = option("never", FAIL_HELP + ".")
    init: float = option(0.3, "Seconds a cold start's init takes.", low=0, high=MAX_INIT_S)
    timeout: float | None = option(None, "Function timeout in seconds.", low=TIMEOUT_RANGE[0], high=TIMEOUT_RANGE[1],
                                   default_text="the duration + 5 s")
    count: int = option(1, "How many invokes.", low=1, high=MAX_COUNT)
    interval: float = option(1.0, "Seconds between invokes.", low=0, high=MAX_INTERVAL_S)
    seed: int = 0
    payload_size: int | None = option(
        None, "Bytes each event is padded to. Over 6 MB (6291456) sync or 1 MB (1048576) async, Lambda refuses "
        "the invoke with 413 RequestEntityTooLargeException and nothing runs.", low=1, high=PAYLOAD_SIZE_MAX,
        default_text="as built, a few hundred bytes",
    )
    payload: str | None = option(None, PAYLOAD_HELP, metavar="FILE",
                                 default_text="the invoke template, payloads/invoke.json")


def build(options: InvokeOptions | None = None, /, **given: Any) -> Scenario:
    o = options or InvokeOptions(**given)
    check(o)
    mode = choose("--mode", o.mode, MODES)
    stimulus_shape(o.count, o.interval)
    body = checked_payload(o.payload, mode)
    default, overrides = fail_directives(o.fail, o.count, o.duration, o.init)
    fn = FunctionSpec(timeout_s=timeout_for(o.timeout, o.duration), directive=default)
    return Scenario(
        probe="invoke",
        function=fn,
        stimulus=Stimulus(
            count=o.count, interval_s=o.interval, mode=mode, overrides=overrides, payload_bytes=o.payload_size,
            body=body,
        ),
        source=SourceSpec(kind=mode),
        seed=o.seed,
        params=params(o, {"timeout": fn.timeout_s}),
    )


def findings(report: Report) -> list[Finding]:
    """What the caller got beside what the function did, for the first invoke."""
    gap = missing(report, "the invoke")
    ran = [r for r in report.requests if r.attempts or r.client]
    if not ran:
        return [gap] if gap else []
    first = ran[0]
    if gap is not None and not first.attempts:
        return [gap]  # the caller's answer alone says nothing of what the function did
    client = first.client
    answer = "no answer" if client is None else f"{client.status or 'no HTTP answer'}" + (
        f" ({client.error})" if client.error else "")
    runs = first.attempts
    did = ", ".join(f"#{a.n} {a.outcome} {seconds(a.start_s)}–{seconds(a.end_s)}" for a in runs[:3]) or "nothing seen"
    mode = str(report.params.get("mode"))
    out: list[Finding] = [] if gap is None else [gap]
    if mode == "async":
        out.append(Finding(
            f"the caller got {answer} at once and never learns the outcome; the function ran "
            f"{plural(len(runs), 'time')}: {did}",
            ("sync.status", "async.queued") + (("async.retry-spacing",) if len(runs) > 1 else ()),
        ))
    else:
        waited = f" after {seconds(client.latency_s)}" if client else ""
        error = " (a function error still answers 200, with the FunctionError header)" if (
            client and client.status == 200 and client.error) else ""
        out.append(Finding(
            f"the caller got {answer}{waited}{error}; the function ran {plural(len(runs), 'time')}: {did}",
            ("sync.status", "sync.no-retry"),
        ))
    if len(report.requests) > 1:
        s = report.summary
        out.append(Finding(
            f"of {len(report.requests):,} invokes: {s.succeeded:,} succeeded, {s.failed:,} failed, "
            f"{s.throttled:,} throttled, {plural(s.cold_starts, 'cold start')}",
        ))
    return out
