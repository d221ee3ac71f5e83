"""A progress line on stderr for simulator runs that take longer than about a second, shown only
when stderr is a terminal (never in a pipe, a file or CI logs) and gone when the run ends."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

SHOW_AFTER_S = 1.0


@contextmanager
def progress(what: str, *, show_after_s: float = SHOW_AFTER_S, stream: TextIO | None = None) -> Iterator[None]:
    """Around a long computation: after `show_after_s`, a spinner with the elapsed time on stderr."""
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=Console(file=out), transient=True,
    )
    bar.add_task(what, total=None)
    timer = threading.Timer(show_after_s, bar.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        bar.stop()
