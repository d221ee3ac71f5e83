"""Whole-process timings: `lambdaprobe retry --source async --output json` and `lambdaprobe --help`.

Targets (issue: foundation): retry <= 0.5 s median, i.e. >= 500x faster than the 270 s it models;
--help <= 0.2 s median. Run: python benchmarks/bench_cli.py [runs]
"""

from __future__ import annotations

import compileall
import shutil
import sys
from pathlib import Path

from _common import command_seconds, verdict

import lambdaprobe

MODELLED_S = 270.0  # the default async retry timeline: attempts end at 270 s of virtual time


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    # `pip install` byte-compiles the package; an editable install under PYTHONDONTWRITEBYTECODE would
    # recompile every module on every start instead. Measure what an installed user runs.
    compileall.compile_dir(str(Path(lambdaprobe.__file__).parent), quiet=1)
    exe = shutil.which("lambdaprobe")
    base = [exe] if exe else [sys.executable, "-m", "lambdaprobe"]
    retry, _ = command_seconds([*base, "retry", "--source", "async", "--duration", "30", "--output", "json"], runs)
    ok = verdict("retry --source async --output json, median wall", retry, 0.5, "s")
    print(f"  speed-up over the modelled {MODELLED_S:g} s: {MODELLED_S / retry:,.0f}x")
    help_s, _ = command_seconds([*base, "--help"], runs)
    ok &= verdict("lambdaprobe --help, median wall", help_s, 0.2, "s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
