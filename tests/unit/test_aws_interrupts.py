"""The signal guard: SIGINT, SIGTERM and SIGHUP alike; held during a create, never during teardown."""

from __future__ import annotations

import signal

import pytest

from lambdaprobe.aws.run.interrupts import SignalGuard
from lambdaprobe.errors import ExitStatus, Interrupted


@pytest.mark.parametrize(
    ("signum", "name", "status"),
    [
        (signal.SIGINT, "SIGINT", ExitStatus.INTERRUPTED),
        (signal.SIGTERM, "SIGTERM", ExitStatus.TERMINATED),
        (signal.SIGHUP, "SIGHUP", ExitStatus.HANGUP),
    ],
)
def test_each_signal_raises_interrupted_with_its_status(signum: int, name: str, status: ExitStatus) -> None:
    guard = SignalGuard()
    with guard.installed(), pytest.raises(Interrupted) as info:
        signal.raise_signal(signum)
    assert (info.value.signal_name, info.value.status) == (name, status) and guard.stop.is_set()
    assert signal.getsignal(signum) is not guard._handle  # the previous handler is back


def test_a_signal_during_a_create_is_held_until_it_answers() -> None:
    said: list[str] = []
    guard = SignalGuard(said.append)
    steps: list[str] = []
    with guard.installed(), pytest.raises(Interrupted):
        with guard.shield():
            signal.raise_signal(signal.SIGTERM)
            steps.append("answered and recorded")  # still runs: the signal is held
        steps.append("never")
    assert steps == ["answered and recorded"]
    assert said == ["SIGTERM: letting the create call in flight answer, then tearing down"]


def test_a_second_signal_during_a_create_leaves_it_at_once() -> None:
    guard = SignalGuard()
    steps: list[str] = []
    with guard.installed(), pytest.raises(Interrupted), guard.shield():
        signal.raise_signal(signal.SIGINT)
        steps.append("held")
        signal.raise_signal(signal.SIGINT)
        steps.append("never")
    assert steps == ["held"]


def test_no_signal_stops_teardown() -> None:
    said: list[str] = []
    guard = SignalGuard(said.append)
    done = []
    with guard.installed(), guard.teardown():
        for _ in range(3):
            signal.raise_signal(signal.SIGINT)
        done.append(True)
    assert done == [True] and guard.pending is not None and not guard.raised
    assert said[-1] == "SIGINT again: teardown goes on until everything is deleted"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the drop it shows
def test_a_signal_lost_in_a_finalizer_is_raised_at_the_next_checkpoint() -> None:
    """Python drops an exception raised while it runs a finalizer: the guard still knows."""
    import gc

    guard = SignalGuard()

    class Finalized:
        def __del__(self) -> None:
            signal.raise_signal(signal.SIGTERM)  # the handler's exception is dropped here

    with guard.installed():
        Finalized()
        gc.collect()
        assert guard.pending is not None and guard.stop.is_set()  # nothing was raised so far
        with pytest.raises(Interrupted) as info:
            guard.checkpoint()
    assert info.value.signal_name == "SIGTERM"
