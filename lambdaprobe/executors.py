"""Where a sweep's points run: any `concurrent.futures.Executor`.

`local` is a process pool on this machine; `serial` runs in this process (small grids, debugging);
`dask://HOST:PORT` is a Dask distributed scheduler's executor (the optional `dask` extra).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from lambdaprobe.errors import InputError, NotAvailableError

P = ParamSpec("P")
T = TypeVar("T")
FORMS = "local, serial or dask://HOST:PORT"


class SerialExecutor(Executor):
    """Runs each call as it is submitted, in this process."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            future.set_exception(err)
        return future


def dask_address(spec: str) -> str:
    """The scheduler's address of `dask://HOST:PORT`."""
    host, _, port = spec.removeprefix("dask://").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError("--executor", f"{spec!r} is not dask://HOST:PORT; allowed: {FORMS}")
    return f"tcp://{host}:{port}"


@contextmanager
def executor(spec: str, workers: int | None = None) -> Iterator[Executor]:
    if workers is not None and workers < 1:
        raise InputError("--workers", f"{workers} is out of range; allowed: >= 1")
    if spec == "local":
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            yield pool
    elif spec == "serial":
        yield SerialExecutor()
    elif spec.startswith("dask://"):
        address = dask_address(spec)
        try:
            # Typed loosely: distributed's API is partly unannotated.
            dask: Any = importlib.import_module("distributed")
        except ImportError:
            raise NotAvailableError(
                "--executor: dask:// needs Dask distributed: pip install 'lambdaprobe[dask]'"
            ) from None
        try:
            client = dask.Client(address, timeout="10s")
        except OSError as err:
            raise InputError("--executor", f"no Dask scheduler answered at {address} ({err})") from err
        try:
            yield client.get_executor()
        finally:
            client.close()
    else:
        raise InputError("--executor", f"{spec!r} is not allowed; allowed: {FORMS}")


def run_all(pool: Executor, fn: Callable[..., T], calls: list[tuple[Any, ...]],
            done: Callable[[int], None] | None = None) -> list[T]:
    """fn(*call) for every call, results in the calls' order; `done(i)` as each finishes."""
    futures = [pool.submit(fn, *call) for call in calls]
    index = {id(f): i for i, f in enumerate(futures)}
    if done is not None:
        from concurrent.futures import as_completed

        for finished in as_completed(futures):
            done(index[id(finished)])
    return [f.result() for f in futures]
