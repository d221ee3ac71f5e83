"""The executor: carries out a plan, remembers what it created, and tears it down in reverse.

A failing call rolls back everything created before it and raises AwsError with one line.
Ctrl-C (and SIGTERM, SIGHUP) rolls back too, then re-raises. Teardown keeps going past errors and
past a second Ctrl-C: leaving a billable resource behind is the worst outcome. Every create is
journaled before it is sent, and one that got no answer is looked up by name at teardown.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from lambdaprobe.answer import plural
from lambdaprobe.aws.client import BOTO_ERRORS, PollingCaller, is_not_found, one_line
from lambdaprobe.aws.plan.records import B64, ApiCall, Fmt, Json, Poll, Ref
from lambdaprobe.aws.run.inflight import identity, not_created, produced
from lambdaprobe.aws.run.interrupts import SignalGuard
from lambdaprobe.aws.run.journal import Entry, RunJournal
from lambdaprobe.errors import AwsError

Progress = Callable[[str], None]
_FIELD = re.compile(r"\{([^{}]+)\}")


def _quiet(_: str) -> None:
    return None


def resolve(value: Any, outputs: dict[str, Any]) -> Any:
    """Replace Ref/Fmt/Json in `value` with what earlier calls produced."""
    if isinstance(value, Ref):
        return outputs[value.name]
    if isinstance(value, B64):
        return base64.b64encode(outputs[value.name]).decode("ascii")
    if isinstance(value, Fmt):
        return _FIELD.sub(lambda m: str(outputs[m.group(1)]), value.template)
    if isinstance(value, Json):
        return json.dumps(resolve(value.value, outputs), sort_keys=True)
    if isinstance(value, dict):
        return {k: resolve(v, outputs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, outputs) for v in value]
    return value


def dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]  # "FileSystems.0.State"
    return data


def describe(call: ApiCall) -> str:
    return f"{call.service}.{call.operation}"


@dataclass
class InFlight:
    """A create sent and not yet answered: `entry` is its journal record (identity, known teardown)."""

    call: ApiCall
    entry: Entry


@dataclass
class Deployment:
    """What a plan created so far: produced values, and the teardown calls (resolved) in order."""

    outputs: dict[str, Any] = field(default_factory=dict)
    created: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    # teardown calls answered "not found": harmless for users, a planning bug when a test sees one
    already_gone: list[str] = field(default_factory=list)
    # creates without an answer (interrupted, timed out): resolved by name at teardown
    inflight: list[InFlight] = field(default_factory=list)
    # the journal entry of each `created` item (same order), and of each leftover
    entries: list[Entry | None] = field(default_factory=list)
    leftover_entries: list[Entry] = field(default_factory=list)
    # each leftover as a short name, for the one-line message and the report's `leftovers`
    leftover_names: list[str] = field(default_factory=list)

    def push(self, step: tuple[str, str, dict[str, Any]], entry: Entry | None = None) -> None:
        self.created.append(step)
        self.entries.append(entry)


def step_name(service: str, operation: str, params: dict[str, Any]) -> str:
    """`sqs.DeleteQueue https://.../lambdaprobe-lp1a2b3c-dlq`: the leftover the step would delete."""
    ids = [str(v) for v in params.values() if isinstance(v, str | int) and not isinstance(v, bool)]
    return f"{service}.{operation} {' '.join(ids)}".strip()


def _try_resolve(value: Any, outputs: dict[str, Any]) -> Any:
    try:
        return resolve(value, outputs)
    except KeyError:
        return None  # needs a value this very call produces


class Executor:
    def __init__(
        self,
        client: PollingCaller,
        progress: Progress | None = None,
        guard: SignalGuard | None = None,
        journal: RunJournal | None = None,
    ) -> None:
        self.client = client
        self.progress = progress or _quiet
        self.guard = guard or SignalGuard()
        self.journal = journal or RunJournal("", None, {})

    def apply(self, calls: Sequence[ApiCall], deployment: Deployment | None = None) -> Deployment:
        """Run every call in order. On failure or Ctrl-C, tear down what was created, then raise."""
        deployment = deployment if deployment is not None else Deployment()
        try:
            for index, call in enumerate(calls, 1):
                self._one(index, len(calls), call, deployment)
        except BaseException as exc:
            created = len(deployment.created)
            self.teardown(deployment)
            if isinstance(exc, BOTO_ERRORS):
                raise AwsError(one_line(exc, describe(call)) + self._rolled_back(deployment, created)) from exc
            if isinstance(exc, AwsError):
                raise AwsError(f"{exc}{self._rolled_back(deployment, created)}") from exc
            raise
        return deployment

    @staticmethod
    def _rolled_back(deployment: Deployment, created: int) -> str:
        if deployment.leftovers:
            return f" (rollback left {plural(len(deployment.leftovers), 'resource')}; run `lambdaprobe cleanup`)"
        if not created:
            return " (nothing had been created)"
        return f" (the {plural(created, 'resource')} created {'was' if created == 1 else 'were'} deleted)"

    def _one(self, index: int, total: int, call: ApiCall, deployment: Deployment) -> None:
        self.guard.checkpoint()
        params = resolve(call.params, deployment.outputs)
        if call.poll is not None:
            self._produce(call, self._poll(call, call.poll, params), deployment)
            return
        if call.mutating:
            self.progress(f"deploying [{index}/{total}] {describe(call)}")
        if call.teardown is None:
            self._produce(call, self.client.call(call.service, call.operation, params), deployment)
            return
        with self.guard.shield():
            self.create(call, params, deployment)

    def create(self, call: ApiCall, params: dict[str, Any], deployment: Deployment) -> dict[str, Any]:
        """A call that makes a resource, accounted for at every instant.

        Its intent (identity, and its teardown when that needs nothing from the answer) is journaled
        and kept in `deployment.inflight` before the call; once answered, its teardown is recorded.
        A call that AWS refused made nothing; one that got no answer stays in flight, and teardown
        looks it up by name.
        """
        undo = call.teardown
        assert undo is not None
        entry = Entry(f"{call.service}.{call.operation}", identity(call.service, call.operation, params))
        known = _try_resolve(undo.params, deployment.outputs)
        if known is not None:
            entry.teardown = [undo.service, undo.operation, known]
        flight = InFlight(call, entry)
        deployment.inflight.append(flight)
        self.journal.intend(entry)
        try:
            response = self.client.call(call.service, call.operation, params)
        except BaseException as exc:
            if not_created(exc):
                deployment.inflight.remove(flight)
                self.journal.entries.remove(entry)
            else:
                entry.state = "unknown"
            self._journal_update()
            raise
        self._produce(call, response, deployment)
        step = (undo.service, undo.operation, resolve(undo.params, deployment.outputs))
        deployment.push(step, entry)
        deployment.inflight.remove(flight)
        entry.teardown, entry.state = list(step), "created"
        self._journal_update()
        return response

    def _journal_update(self) -> None:
        try:
            self.journal.update()
        except AwsError as exc:
            self.progress(str(exc))

    @staticmethod
    def _produce(call: ApiCall, response: dict[str, Any], deployment: Deployment) -> None:
        if call.produces is not None and call.output is not None:
            try:
                deployment.outputs[call.produces] = dig(response, call.output)
            except (KeyError, TypeError) as exc:
                # an endpoint that answers in another shape cannot be driven: say which field
                raise AwsError(f"{describe(call)}: the response has no {call.output}") from exc

    def _poll(self, call: ApiCall, poll: Poll, params: dict[str, Any]) -> dict[str, Any]:
        rounds = max(1, int(poll.timeout_s / poll.interval_s))
        state: Any = None
        for i in range(rounds):
            response = self.client.call(call.service, call.operation, params)
            try:
                state = dig(response, poll.path)
            except (KeyError, TypeError):
                state = None
            if state in poll.ready:
                return response
            if state in poll.failed:
                reason = (
                    response.get("StatusReason")
                    or response.get("StateReason")
                    or response.get("StateTransitionReason", "")
                )
                raise AwsError(f"{describe(call)}: {poll.path} is {state}: {reason}".rstrip(": "))
            if i == 0 and poll.message:
                self.progress(poll.message)
            self.client.sleep(poll.interval_s)
        raise AwsError(f"{describe(call)}: {poll.path} still {state!r} after {poll.timeout_s:g} s")

    def teardown(self, deployment: Deployment) -> list[str]:
        """Undo everything in reverse; returns what could not be deleted (also kept in leftovers).

        Creates left without an answer are looked up by name first. No signal interrupts this
        (the guard holds them); without the guard a Ctrl-C is noted and re-raised at the end.
        """
        interrupted: BaseException | None = None
        with self.guard.teardown():
            self._resolve_inflight(deployment)
            total = len(deployment.created)
            while deployment.created:
                service, operation, params = deployment.created.pop()
                entry = deployment.entries.pop() if deployment.entries else None
                try:
                    self.progress(
                        f"tearing down [{total - len(deployment.created)}/{total}] {service}.{operation}"
                    )
                    self.client.call(service, operation, params)
                except KeyboardInterrupt as exc:  # finish the teardown first; re-raised below
                    interrupted = exc
                    self._leftover(deployment, (service, operation, params), entry, "interrupted")
                except BOTO_ERRORS as exc:
                    if is_not_found(exc):
                        deployment.already_gone.append(f"{service}.{operation} {params}")
                    else:
                        self._leftover(deployment, (service, operation, params), entry, one_line(exc))
        try:
            self.journal.finish(deployment.leftover_entries)
        except (AwsError, OSError) as exc:
            self.progress(f"could not update the run journal: {exc}")
        if interrupted is not None:
            raise interrupted
        return list(deployment.leftovers)

    @staticmethod
    def _leftover(
        deployment: Deployment, step: tuple[str, str, dict[str, Any]], entry: Entry | None, why: str
    ) -> None:
        name = step_name(*step)
        deployment.leftovers.append(f"{name}: {why}")
        deployment.leftover_names.append(name)
        deployment.leftover_entries.append(entry or Entry(f"{step[0]}.{step[1]}", {}, list(step), "leftover"))

    def _resolve_inflight(self, deployment: Deployment) -> None:
        """Creates that got no answer: find what they made by name, and queue it for deletion."""
        for flight in list(deployment.inflight):
            call, entry = flight.call, flight.entry
            undo = call.teardown
            assert undo is not None
            deployment.inflight.remove(flight)
            if entry.teardown is not None:  # deleted by name: "not found" will mean it was never made
                service, operation, params = entry.teardown
                deployment.push((service, operation, params), entry)
                name = step_name(service, operation, params)
                self.progress(f"{describe(call)} got no answer: deleting {name} if it exists")
                continue
            try:
                found = produced(self.client, call.service, call.operation, entry.identity)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, AwsError, KeyError) as exc:
                name = f"{describe(call)} {' '.join(str(v) for v in entry.identity.values())}"
                deployment.leftovers.append(f"{name}: could not tell whether it was created ({exc})")
                deployment.leftover_names.append(name)
                deployment.leftover_entries.append(entry)
                continue
            self.progress(f"{describe(call)} got no answer: found {len(found)} by name")
            for value in found:
                outputs = {**deployment.outputs, **({call.produces: value} if call.produces else {})}
                deployment.push((undo.service, undo.operation, resolve(undo.params, outputs)), entry)
