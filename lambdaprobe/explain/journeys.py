"""Runs the existing scenarios on the simulator with a function's exact settings, one per way it is invoked.

Each journey is built by the same scenario builder as `lambdaprobe retry` / `lambdaprobe concurrency`,
from the same options, so its timeline is the one those commands print; `command` is that command line.
Settings those commands take no option for (a queue's or stream's retention) are applied on top and
named in the journey's caveats.
"""

from __future__ import annotations

from lambdaprobe.explain import bursts, failing
from lambdaprobe.explain.journey import DEFAULT_BURST, DEFAULT_INIT_S, Journey, Settings
from lambdaprobe.explain.model import FunctionConfig

__all__ = ["DEFAULT_BURST", "DEFAULT_INIT_S", "Journey", "Settings", "for_function"]


def for_function(fn: FunctionConfig, settings: Settings) -> list[Journey]:
    journeys: list[Journey] = []
    if fn.timeout_s is None:
        return [
            Journey(
                "all",
                "every journey",
                "not run: the function timeout is unresolved",
                (),
                not_run="the function timeout is unresolved (give it with --param)",
            )
        ]
    duration = float(fn.timeout_s) if settings.duration_s is None else settings.duration_s
    base = {"duration": duration, "fail": "always", "init": settings.init_s, "timeout": float(fn.timeout_s)}
    if fn.async_invoked or (fn.dlq is not None and not fn.sqs):
        journeys += [failing.async_event(fn, base), bursts.async_burst(fn, duration, settings)]
    for m in fn.sqs:
        journeys += [failing.sqs_message(fn, m, base), bursts.sqs_burst(fn, m, duration, settings)]
    journeys += [failing.stream_record(fn, s, base) for s in fn.streams]
    if fn.sync_invoked or not (fn.sqs or fn.streams or fn.async_invoked):
        journeys.append(bursts.sync_burst(fn, duration, settings))
    return journeys
