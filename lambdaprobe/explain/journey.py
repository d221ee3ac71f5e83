"""A journey: one scenario of the existing probes run on the simulator with a function's exact settings, its
short Answer, the rules behind it and the command line that prints the same timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaprobe.analysis import analyse
from lambdaprobe.explain.model import Destination, SqsMapping
from lambdaprobe.report import Report
from lambdaprobe.rules import RuleId
from lambdaprobe.scenario import Scenario
from lambdaprobe.sim.target import SimTarget

DEFAULT_INIT_S = 0.3
DEFAULT_BURST = 100


@dataclass(frozen=True)
class Settings:
    """How the journeys are run: how long a failing attempt or a call lasts, the cold start, the burst."""

    duration_s: float | None = None  # None: the function's timeout (the worst case)
    init_s: float = DEFAULT_INIT_S
    burst: int = DEFAULT_BURST
    burst_interval_s: float = 0.0


@dataclass(frozen=True)
class Journey:
    way: str  # async | sqs | sqs-fifo | kinesis | dynamodb, and async-burst | sqs-burst | sync-burst
    title: str
    answer: str
    rules: tuple[str, ...]
    command: tuple[str, ...] = ()
    report: Report | None = None
    caveats: tuple[str, ...] = ()
    not_run: str | None = None


def argv(probe: str, options: dict[str, Any]) -> tuple[str, ...]:
    argv = [probe]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            argv += [flag] if value else []
        elif value is not None:
            argv += [flag, number(value) if isinstance(value, float) else str(value)]
    return tuple(argv)


def sqs_mapping_options(m: SqsMapping) -> dict[str, Any]:
    """`retry`'s options for what the queue and its mapping decide (no redrive: --max-receive-count 0)."""
    q = m.queue
    return {
        "visibility_timeout": q.visibility_timeout_s,
        "max_receive_count": q.max_receive_count if q.has_redrive else 0,
        "batch_size": m.batch_size,
        "batching_window": m.batching_window_s,
        "report_batch_item_failures": m.report_batch_item_failures,
        "max_concurrency": m.max_concurrency,
    }


def number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def simulate(scenario: Scenario) -> Report:
    return analyse(scenario, SimTarget().run(scenario))


def head(curated: tuple[RuleId, ...]) -> tuple[str, ...]:
    return tuple(r.value for r in curated[:2])


def seconds(seconds: float) -> str:
    return f"{round(seconds, 1):g}"


def label(d: Destination | None) -> str:
    return "" if d is None else f"{d.target or d.kind} ({d.kind})"
