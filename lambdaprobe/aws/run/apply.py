"""The executor: carries out a plan, remembers what it created, and tears it down in reverse.

A failing call rolls back everything created before it and raises AwsError with one line.
Ctrl-C rolls back too, then re-raises so the CLI exits 130. Teardown keeps going past errors and
past a second Ctrl-C: leaving a billable resource behind is the worst outcome.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambdaprobe.answer import plural
from lambdaprobe.aws.client import BOTO_ERRORS, PollingCaller, is_not_found, one_line
from lambdaprobe.aws.plan.records import B64, ApiCall, Fmt, Json, Poll, Ref
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
class Deployment:
    """What a plan created so far: produced values, and the teardown calls (resolved) in order."""

    outputs: dict[str, Any] = field(default_factory=dict)
    created: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    # teardown calls answered "not found": harmless for users, a planning bug when a test sees one
    already_gone: list[str] = field(default_factory=list)


class Executor:
    def __init__(self, client: PollingCaller, progress: Progress | None = None) -> None:
        self.client = client
        self.progress = progress or _quiet

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
        params = resolve(call.params, deployment.outputs)
        if call.poll is not None:
            response = self._poll(call, call.poll, params)
        else:
            if call.mutating:
                self.progress(f"deploying [{index}/{total}] {describe(call)}")
            response = self.client.call(call.service, call.operation, params)
        if call.produces is not None and call.output is not None:
            try:
                deployment.outputs[call.produces] = dig(response, call.output)
            except (KeyError, TypeError) as exc:
                # an endpoint that answers in another shape cannot be driven: say which field
                raise AwsError(f"{describe(call)}: the response has no {call.output}") from exc
        if call.teardown is not None:
            undo = call.teardown
            deployment.created.append(
                (undo.service, undo.operation, resolve(undo.params, deployment.outputs))
            )

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
        """Undo everything in reverse; returns what could not be deleted (also kept in leftovers)."""
        interrupted: BaseException | None = None
        total = len(deployment.created)
        while deployment.created:
            service, operation, params = deployment.created.pop()
            try:
                self.progress(
                    f"tearing down [{total - len(deployment.created)}/{total}] {service}.{operation}"
                )
                self.client.call(service, operation, params)
            except KeyboardInterrupt as exc:  # finish the teardown first; re-raised below
                interrupted = exc
                deployment.leftovers.append(f"{service}.{operation} {params} (interrupted)")
            except BOTO_ERRORS as exc:
                if is_not_found(exc):
                    deployment.already_gone.append(f"{service}.{operation} {params}")
                else:
                    deployment.leftovers.append(one_line(exc, f"{service}.{operation} {params}"))
        if interrupted is not None:
            raise interrupted
        return list(deployment.leftovers)
