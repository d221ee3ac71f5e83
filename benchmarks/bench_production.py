"""Production scale, whole process (start-up, simulation, analysis and printing), medians of runs and
the peak resident memory of each run (the child's own accounting, from wait4):

- 1,000,000 sync calls in 10 s against reserved concurrency 1000, table output: <= 10 s, <= 800 MB;
- the same with --output json (to /dev/null): <= 20 s, <= 800 MB;
- a 24-hour replay of per-minute counts totalling 5,000,000 requests, table output: <= 60 s, <= 1.5 GB.

Run: python benchmarks/bench_production.py [--runs 3] [--only sync|json|replay]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import verdict

DAY_TOTAL = 5_000_000


def lambdaprobe() -> list[str]:
    exe = shutil.which("lambdaprobe")
    return [exe] if exe else [sys.executable, "-m", "lambdaprobe"]


def one_run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one run of `argv` (its output thrown away)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {err.strip()}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def measure(name: str, argv: list[str], runs: int, wall_target: float, mb_target: float) -> bool:
    results = [one_run(argv) for _ in range(runs)]
    walls = [w for w, _ in results]
    peaks = [m for _, m in results]
    print(f"{name}\n  $ {' '.join(argv[1:] if argv[0].endswith('lambdaprobe') else argv)}")
    print("  runs: " + ", ".join(f"{w:.2f} s / {m:.0f} MB" for w, m in results))
    ok = verdict(f"  median wall of {runs}", statistics.median(walls), wall_target, "s")
    return verdict(f"  median peak RSS of {runs}", statistics.median(peaks), mb_target, "MB") and ok


def day_of_minutes(path: Path, total: int = DAY_TOTAL) -> None:
    """A day of per-minute Invocations counts: a night trough, a morning ramp, an evening peak."""
    shape = [1.0 + 0.8 * math.sin((m / 1440 - 0.3) * 2 * math.pi) + 0.4 * math.exp(-(((m - 1140) / 60) ** 2))
             for m in range(1440)]
    scale = total / sum(shape)
    counts = [int(s * scale) for s in shape]
    counts[720] += total - sum(counts)  # exactly `total`
    rows = ["Timestamp,Invocations"] + [
        f"2026-11-30T{m // 60:02d}:{m % 60:02d}:00Z,{n}" for m, n in enumerate(counts)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def account_limit_args() -> list[str]:
    """Reserved 1000 needs an account limit above 1,100 (100 stay unreserved); builds without
    --account-limit can reserve at most 900, which this benchmark then uses (and says so)."""
    help_text = subprocess.run([*lambdaprobe(), "concurrency", "--help"], capture_output=True, text=True).stdout
    if "--account-limit" in help_text:
        return ["--account-limit", "2000", "--reserved", "1000"]
    print("note: this build has no --account-limit: reserved 900 (the most the default account allows)")
    return ["--reserved", "900"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("sync", "json", "replay"))
    args = parser.parse_args()
    base = lambdaprobe()
    sync = [*base, "concurrency", *account_limit_args(), "--count", "1000000", "--interval", "0.00001",
            "--duration", "0.1"]
    ok = True
    if args.only in (None, "sync"):
        ok &= measure("1,000,000 sync calls in 10 s, table", sync, args.runs, 10.0, 800.0)
    if args.only in (None, "json"):
        ok &= measure("1,000,000 sync calls in 10 s, --output json", [*sync, "--output", "json"], args.runs, 20.0,
                      800.0)
    if args.only in (None, "replay"):
        with tempfile.TemporaryDirectory() as folder:
            day = Path(folder) / "day.csv"
            day_of_minutes(day)
            replay = [*base, "concurrency", "--reserved", "50", "--duration", "0.5", "--arrivals", f"file:{day}"]
            ok &= measure("24-hour replay of per-minute counts, 5,000,000 requests, table", replay, args.runs, 60.0,
                          1536.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
