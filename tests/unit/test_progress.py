"""The progress line: only on a terminal, only after the delay, gone afterwards."""

from __future__ import annotations

import io
import time

from lambdaprobe.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_in_a_pipe_or_a_file() -> None:
    out = io.StringIO()
    with progress("simulating 5 requests", show_after_s=0.0, stream=out):
        time.sleep(0.2)
    assert out.getvalue() == ""


def test_a_terminal_sees_it_only_when_the_run_is_long() -> None:
    quick = Terminal()
    with progress("simulating 5 requests", show_after_s=5.0, stream=quick):
        pass
    assert "simulating" not in quick.getvalue()
    slow = Terminal()
    with progress("simulating 5 requests", show_after_s=0.05, stream=slow):
        time.sleep(0.5)
    assert "simulating 5 requests" in slow.getvalue()
