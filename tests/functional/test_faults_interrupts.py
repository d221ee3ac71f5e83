"""Interrupts against moto on loopback: a signal at every deploy step, answers lost after the server
acted, Ctrl-C while sending. Whatever happens, nothing is left, and the run says so honestly."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.planner import build_plan
from lambdaprobe.aws.run.interrupts import SignalGuard
from lambdaprobe.aws.run.schedule import open_loop
from lambdaprobe.aws.target import AwsTarget
from lambdaprobe.errors import ExitStatus, Interrupted
from tests.functional.aws_helpers import inventory, scenario
from tests.functional.faults import SIGNALS, SignalAtCall, faults, lose_answer
from tests.functional.test_aws_deploy import no_sleep

# The example: a DLQ topic, a Lambda on-failure relay, an EventBridge on-success bus.
SCENARIO = scenario("async")


def opts(endpoint: str, run_id: str, **kw: Any) -> AwsOptions:
    return AwsOptions(region="us-east-1", endpoint_url=endpoint, run_id=run_id, poll_s=0.02, **kw)


def mutating_ops(o: AwsOptions) -> list[str]:
    return [c.operation for c in build_plan(SCENARIO, o).calls if c.mutating]


STEPS = len(mutating_ops(AwsOptions(region="us-east-1", run_id="lp000000")))
STATUS = {"SIGINT": ExitStatus.INTERRUPTED, "SIGTERM": ExitStatus.TERMINATED, "SIGHUP": ExitStatus.HANGUP}


def journal_files(state: Path) -> list[Path]:
    return sorted((state / "runs").glob("*.json")) if (state / "runs").is_dir() else []


@pytest.mark.parametrize("step", range(1, STEPS + 1))
def test_a_signal_at_any_deploy_step_tears_everything_down(
    moto_endpoint: str, private_state_dir: Path, step: int
) -> None:
    name = list(SIGNALS)[step % 3]
    # the signal arrives while the request is on its way (odd steps) or after the server acted,
    # while its answer is on its way back (even steps)
    where = "before-send" if step % 2 else "after-call"
    run_id = f"lp5{step:05x}"
    o = opts(moto_endpoint, run_id, deadline_s=5)
    hook = SignalAtCall(set(mutating_ops(o)), step, SIGNALS[name])
    messages: list[str] = []
    with faults(o, {where: hook}) as client:
        started = time.monotonic()
        with pytest.raises(Interrupted) as info:
            AwsTarget(o, progress=messages.append, client=client, sleep=no_sleep).run(SCENARIO)
    assert hook.fired_at is not None and time.monotonic() - started < 10
    assert info.value.signal_name == name and info.value.status == STATUS[name]
    assert info.value.message == f"interrupted by {name}; everything the run created was deleted"
    assert messages[-1] == f"run {run_id} torn down: nothing left behind"
    assert inventory(moto_endpoint, run_id) == {}, f"{name} during {hook.fired_at} (step {step}) left resources"
    if where == "after-call":  # a create's answer is awaited before the signal takes effect
        assert not any("got no answer" in m for m in messages), messages
    assert journal_files(private_state_dir) == []  # a clean teardown removes the run's journal


def _create_ops() -> list[tuple[str, str]]:
    """Every kind of create the planner makes, once each, with a scenario that makes it."""
    seen: dict[str, str] = {}
    for kind in ("async", "sqs", "sns", "eventbridge", "kinesis", "dynamodb"):
        for call in build_plan(scenario(kind), AwsOptions(region="us-east-1", run_id="lp000000")).calls:
            if call.teardown is not None:
                seen.setdefault(f"{call.service}.{call.operation}", kind)
    return sorted((op, kind) for op, kind in seen.items())


CREATES = _create_ops()


@pytest.mark.parametrize(("op", "kind"), CREATES)
def test_a_create_whose_answer_is_lost_is_found_by_name_and_deleted(
    moto_endpoint: str, private_state_dir: Path, op: str, kind: str
) -> None:
    run_id = f"lp6{[o for o, _ in CREATES].index(op):05x}"
    o = opts(moto_endpoint, run_id, deadline_s=5)
    messages: list[str] = []
    hooks = {"after-call": lose_answer(op.split(".")[1])}
    with faults(o, hooks) as client, pytest.raises(KeyboardInterrupt) as info:
        AwsTarget(o, progress=messages.append, client=client, sleep=no_sleep).run(scenario(kind))
    assert isinstance(info.value, Interrupted) and info.value.status == ExitStatus.INTERRUPTED
    assert any(m.startswith(f"{op} got no answer") for m in messages), messages
    assert inventory(moto_endpoint, run_id) == {}, f"the lost {op} left its resource"
    assert "everything the run created was deleted" in info.value.message
    assert journal_files(private_state_dir) == []


def test_a_second_signal_during_teardown_does_not_stop_it(moto_endpoint: str) -> None:
    run_id = "lp700001"
    o = opts(moto_endpoint, run_id, deadline_s=5)
    fired: list[str] = []

    def progress(message: str) -> None:
        if message.startswith("tearing down [2/") and not fired:
            fired.append(message)
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)

    hooks = {"before-send": SignalAtCall({"CreateFunction"}, 1, signal.SIGTERM)}
    with faults(o, hooks) as client, pytest.raises(Interrupted) as info:
        AwsTarget(o, progress=progress, client=client, sleep=no_sleep).run(SCENARIO)
    assert fired and info.value.signal_name == "SIGTERM"
    assert inventory(moto_endpoint, run_id) == {}


def test_a_second_signal_mid_create_leaves_the_call_and_finds_the_resource_by_name(moto_endpoint: str) -> None:
    """Two SIGINTs during CreateQueue: the call is left at once, the queue is looked up by name."""
    run_id = "lp700002"
    o = opts(moto_endpoint, run_id, deadline_s=5)
    messages: list[str] = []
    hook = SignalAtCall({"CreateQueue"}, 1, signal.SIGINT, latency_s=0.2, repeat=2)
    with faults(o, {"before-send": hook}) as client, pytest.raises(Interrupted):
        AwsTarget(o, progress=messages.append, client=client, sleep=no_sleep).run(scenario("sqs"))
    assert any("got no answer" in m for m in messages), messages
    assert inventory(moto_endpoint, run_id) == {}


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # a signal in a finalizer
def test_ctrl_c_while_sending_ends_every_worker_promptly() -> None:
    """Workers stuck in their calls (a hung endpoint) do not keep the process: Ctrl-C returns at once."""
    release = threading.Event()
    calls: list[int] = []
    interrupted_at: list[float] = []

    def send(i: int, t: float, due: float) -> float | None:
        calls.append(i)
        if len(calls) == 5:
            # a process-directed signal, which Linux gives the main thread (as a terminal's Ctrl-C)
            interrupted_at.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)
        release.wait(30)  # a call that never answers
        return None

    guard = SignalGuard()
    # KeyboardInterrupt: Interrupted itself, or (when Python dropped it inside a finalizer) the
    # schedule's own, raised once it sees the guard's stop
    with guard.installed(), pytest.raises(KeyboardInterrupt):
        open_loop(200, 0.01, send, stop=guard.stop)
    returned = time.monotonic()
    workers = [t for t in threading.enumerate() if t.name.startswith("lambdaprobe-drive")]
    release.set()
    assert returned - interrupted_at[0] < 1.0 and guard.stop.is_set()
    assert 5 <= len(calls) < 200  # the schedule stopped: the rest was never sent
    assert all(t.daemon for t in workers)  # nothing the interpreter would wait for at exit


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # a signal in a finalizer
def test_ctrl_c_before_the_first_send_does_not_hang() -> None:
    """The old Barrier start-up hung for ever when interrupted (4 of 5 tries)."""
    for _ in range(5):
        guard = SignalGuard()
        started = time.monotonic()
        with guard.installed(), pytest.raises(KeyboardInterrupt):  # (see the test above)
            threading.Timer(0.001, os.kill, (os.getpid(), signal.SIGINT)).start()
            open_loop(1000, 0.01, lambda i, t, due: None, stop=guard.stop)  # a 10 s schedule
        assert time.monotonic() - started < 2.0
