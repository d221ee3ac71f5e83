"""Open-loop driver lag: 1,000 sync invokes at 200/s against a local endpoint answering after 1 s.

Target: p99 lag (actual minus scheduled send time) <= 20 ms on a 2-core machine. The endpoint runs
in its own process so its threads do not compete with the driver's for the GIL.

    python benchmarks/bench_driver_lag.py [--count 1000] [--rate 200] [--delay 1.0]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lambdaprobe.aws.client import AwsClient  # noqa: E402
from lambdaprobe.aws.options import AwsOptions  # noqa: E402
from lambdaprobe.aws.plan.records import Plan  # noqa: E402
from lambdaprobe.aws.run import schedule as open_loop  # noqa: E402
from lambdaprobe.aws.run.drive import Driver  # noqa: E402
from lambdaprobe.function.directive import Directive  # noqa: E402
from lambdaprobe.observation import Observations  # noqa: E402
from lambdaprobe.scenario import FunctionSpec, Scenario, SdkConfig, SourceSpec, Stimulus  # noqa: E402
from tests.functional.fake_lambda import FakeLambdaServer  # noqa: E402

TARGET_P99_MS = 20.0


def serve(port_out: multiprocessing.connection.Connection, delay_s: float) -> None:
    server = FakeLambdaServer(delay_s=delay_s)
    port_out.send(server.server_address[1])
    server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument(
        "--prepare",
        type=float,
        default=open_loop.PREPARE_S,
        help="seconds ahead a call is handed to its worker (0: at its due time)",
    )
    args = parser.parse_args()
    open_loop.PREPARE_S = args.prepare

    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    )
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send, args.delay), daemon=True)
    server.start()
    port = receive.recv()
    try:
        scenario = Scenario(
            probe="bench",
            function=FunctionSpec(directive=Directive(duration_s=args.delay)),
            stimulus=Stimulus(count=args.count, interval_s=1.0 / args.rate, mode="sync"),
            source=SourceSpec(kind="sync"),
            sdk=SdkConfig(retry_mode="off", read_timeout_s=30, connect_timeout_s=10),
        )
        client = AwsClient(AwsOptions(region="us-east-1", endpoint_url=f"http://127.0.0.1:{port}"))
        obs = Observations("aws")
        started = time.monotonic()
        function = "lambdaprobe-bench-probe"
        plan = Plan(calls=(), watches=(), function=function, log_group=f"/aws/lambda/{function}")
        schedule = Driver(client, scenario, plan, {}).run(obs)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.join()
    statuses: dict[int, int] = {}
    for c in obs.client_results:
        statuses[c.status] = statuses.get(c.status, 0) + 1
    latencies = sorted(c.latency_s for c in obs.client_results)
    p50, p99 = schedule.percentile(50) * 1000, schedule.percentile(99) * 1000
    worst = max(schedule.lags) * 1000
    print(
        f"driver lag: {args.count} sync invokes at {args.rate:g}/s, endpoint answers after {args.delay:g} s,"
        f" prepared {args.prepare * 1000:g} ms ahead"
    )
    print(
        f"  p50 lag {p50:.2f} ms   p99 lag {p99:.2f} ms   max {worst:.2f} ms"
        f"   (target p99 <= {TARGET_P99_MS:g} ms)"
    )
    print(f"  answers {statuses}, latency p50 {latencies[len(latencies) // 2]:.3f} s, run {elapsed:.1f} s")
    print(f"  {'PASS' if p99 <= TARGET_P99_MS else 'FAIL'}")
    return 0 if p99 <= TARGET_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
