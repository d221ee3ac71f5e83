"""100,000 SQS messages through a failing-then-succeeding function, with redrive.

Target (issue 3): <= 10 s wall on the 2-core machine for the run and its analysis. Prints the median
of `--runs` runs (default 3).

    python benchmarks/bench_sqs.py [--messages 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lambdaprobe.analysis import analyse
from lambdaprobe.function.directive import Directive
from lambdaprobe.gc_pause import no_cycle_collection
from lambdaprobe.scenario import FunctionSpec, Scenario, SourceSpec, SqsSourceSpec, Stimulus
from lambdaprobe.sim.target import SimTarget

TARGET_S = 10.0


def scenario(messages: int, fail: str = "first:1") -> Scenario:
    return Scenario(
        probe="retry",
        function=FunctionSpec(timeout_s=3.0, directive=Directive(duration_s=0.1, fail=fail, init_s=0.3)),
        stimulus=Stimulus(count=messages, interval_s=0.0, mode="async"),
        source=SourceSpec(
            kind="sqs", sqs=SqsSourceSpec(visibility_timeout_s=30, max_receive_count=3, batch_size=10)
        ),
    )


def once(messages: int, fail: str) -> tuple[float, float, str]:
    sc = scenario(messages, fail)
    with no_cycle_collection():  # as the runner runs the simulator
        t0 = time.perf_counter()
        obs = SimTarget().run(sc)
        t1 = time.perf_counter()
        report = analyse(sc, obs)
        t2 = time.perf_counter()
    s = report.summary
    figures = (
        f"requests={s.requests} succeeded={s.succeeded} failed={s.failed} dead_lettered={s.dead_lettered} "
        f"attempts={s.attempts} "
        f"max_concurrency={s.max_concurrency} last_end={max(a.end for a in obs.attempts):.1f}s"
    )
    return t1 - t0, t2 - t0, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fail", default="first:1", help="fail directive; first:3 redrives every message")
    args = parser.parse_args()
    runs = [once(args.messages, args.fail) for _ in range(args.runs)]
    sim = statistics.median(r[0] for r in runs)
    total = statistics.median(r[1] for r in runs)
    print(runs[0][2])
    verdict = "PASS" if total <= TARGET_S else "FAIL"
    print(
        f"sqs: {args.messages} messages, fail {args.fail}, redrive: median of {args.runs} runs "
        f"{total:.2f} s wall "
        f"(simulation {sim:.2f} s, analysis {total - sim:.2f} s); target <= {TARGET_S:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    main()
