"""Ctrl-C, SIGTERM and SIGHUP during an AWS run: all three end the run the same way, through teardown.

CI cancellation and `timeout` send SIGTERM, a closed terminal SIGHUP; each used to skip teardown.
While the guard is installed (main thread only: Python delivers signals there):

- outside a shield, the first signal raises `Interrupted` at once (a read, a poll or a wait ends);
- inside a create call's shield it is held until the call has answered and its teardown is recorded,
  so no resource is ever created unaccounted for; a second signal there raises at once (the executor
  then finds the in-flight resource by name);
- inside teardown's shield no signal raises: teardown always finishes.

Every signal also sets `stop`, which the stimulus workers watch, so they end promptly.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from lambdaprobe.errors import ExitStatus, Interrupted

Progress = Callable[[str], None]

# signal -> (name, conventional exit status 128 + n)
HANDLED: dict[int, tuple[str, ExitStatus]] = {
    int(signal.SIGINT): ("SIGINT", ExitStatus.INTERRUPTED),
    int(signal.SIGTERM): ("SIGTERM", ExitStatus.TERMINATED),
}
if hasattr(signal, "SIGHUP"):  # not on Windows
    HANDLED[int(signal.SIGHUP)] = ("SIGHUP", ExitStatus.HANGUP)

_CALL, _TEARDOWN = 1, 2


def _quiet(_: str) -> None:
    return None


class SignalGuard:
    """Turns the three signals into `Interrupted`, raised where it is safe (see the module doc)."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress or _quiet
        self.stop = threading.Event()
        self.pending: Interrupted | None = None  # the first signal's exception
        self.raised = False  # whether `pending` has been raised yet
        self._shield = 0

    @contextmanager
    def installed(self) -> Iterator[SignalGuard]:
        """Handle the signals for the duration (a no-op off the main thread, where Python cannot)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {sig: signal.signal(sig, self._handle) for sig in HANDLED}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        name, status = HANDLED.get(signum, ("signal", ExitStatus.INTERRUPTED))
        self.stop.set()
        if self.pending is None:
            self.pending = Interrupted(name, status)
            if self._shield == _CALL:
                self.progress(f"{name}: letting the create call in flight answer, then tearing down")
                return
            if self._shield == _TEARDOWN:
                self.progress(f"{name}: teardown goes on until everything is deleted")
                return
            self.raised = True
            raise self.pending
        if self._shield == _TEARDOWN:
            self.progress(f"{name} again: teardown goes on until everything is deleted")
            return
        if self._shield == _CALL:
            # Insisted: leave the call now; the executor looks the resource up by name.
            self.raised = True
            raise Interrupted(self.pending.signal_name, self.pending.status)
        if not self.raised:
            self.raised = True
            raise self.pending

    @contextmanager
    def shield(self) -> Iterator[None]:
        """Hold a first signal until a create call has answered and been recorded; then raise it."""
        outer = self._shield
        self._shield = max(outer, _CALL)
        try:
            yield
        finally:
            self._shield = outer
        self.raise_pending()

    @contextmanager
    def teardown(self) -> Iterator[None]:
        """No signal raises inside: teardown always finishes (the caller re-raises afterwards)."""
        outer = self._shield
        self._shield = _TEARDOWN
        try:
            yield
        finally:
            self._shield = outer

    def raise_pending(self) -> None:
        if self.pending is not None and not self.raised and self._shield == 0:
            self.raised = True
            raise self.pending

    def checkpoint(self) -> None:
        """Raise the signal's exception again if one came: Python drops an exception raised while
        it runs a finalizer ("Exception ignored in ..."), so a signal handled there would be lost.
        Called between the run's steps (never in teardown, which ends the run anyway)."""
        if self.pending is not None and self._shield == 0:
            self.raised = True
            raise self.pending

