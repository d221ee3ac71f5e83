"""A progress bar on stderr, for runs long enough to wonder about (the caller decides when)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def bar(label: str, total: float) -> Iterator[Callable[[float], None]]:
    """Yields `advance(n)`; the bar is drawn on stderr and cleared when done."""
    progress = Progress(
        TextColumn(label, markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )
    task = progress.add_task(label, total=total)
    with progress:
        yield lambda n: progress.advance(task, n)
