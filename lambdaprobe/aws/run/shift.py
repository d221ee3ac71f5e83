"""Traffic shifting on AWS: alias `live` moved from version 1 to version 2 by lambdaprobe itself.

Not CodeDeploy: the driver updates the alias's routing (`UpdateAlias` with
`RoutingConfig.AdditionalVersionWeights`) on the schedule of the chosen CodeDeploy configuration
(`lambdaprobe.codedeploy.schedule`, the simulator's too), on its own clock from the first call.
Rollback rule with --rollback-on-error: the first version-2 invocation the driver sees fail puts
all traffic back on version 1 at once (CodeDeploy would wait for a CloudWatch alarm on the alias's
Errors metric to fire at the end of its period; a version-2 error is what that alarm would count).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from lambdaprobe.aws.client import BOTO_ERRORS, ApiCaller, one_line
from lambdaprobe.codedeploy import schedule
from lambdaprobe.scenario import ALIAS_NAME, NEW_VERSION, PUBLISHED_VERSION, DeploymentSpec

SHIFT_NOTE = (
    "deploy-preference on AWS: alias routing set directly by lambdaprobe (UpdateAlias weights on the "
    "CodeDeploy configuration's schedule, from the first call), not a CodeDeploy deployment; rollback "
    "rule: the first version-2 error the driver sees routes everything back to version 1 at once"
)


def routing(weight: float, old: str, new: str) -> dict[str, Any]:
    """UpdateAlias parameters giving `new` this share of the calls (weights must stay below 1)."""
    if weight >= 1.0:
        return {"FunctionVersion": new, "RoutingConfig": {"AdditionalVersionWeights": {}}}
    if weight <= 0.0:
        return {"FunctionVersion": old, "RoutingConfig": {"AdditionalVersionWeights": {}}}
    return {"FunctionVersion": old, "RoutingConfig": {"AdditionalVersionWeights": {new: weight}}}


class Shifter:
    """Applies the schedule's steps to the alias, and rolls back on the rule above."""

    def __init__(
        self,
        client: ApiCaller,
        function: str,
        spec: DeploymentSpec,
        old: str = PUBLISHED_VERSION,
        new: str = NEW_VERSION,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.function = function
        self.spec = spec
        self.old, self.new = old, new
        self.clock = clock
        self.steps = schedule(spec.preference)
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.completed = False
        self.rolled_back = False
        self._t0: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _now_s(self) -> float:
        return 0.0 if self._t0 is None else self.clock() - self._t0

    def _update(self, weight: float, why: str) -> None:
        params = {"FunctionName": self.function, "Name": ALIAS_NAME, **routing(weight, self.old, self.new)}
        try:
            self.client.call("lambda", "UpdateAlias", params)
        except BOTO_ERRORS as exc:
            self.errors.append(one_line(exc, "lambda.UpdateAlias"))
            return
        self.notes.append(f"alias {ALIAS_NAME}: {why} at {self._now_s():.1f} s")

    def prepare(self) -> None:
        """The steps due at the start, before the first call (as the simulator applies them)."""
        for t, weight in self.steps:
            if t <= 0.0:
                self._step(weight)

    def begin(self, t0: float) -> None:
        """Start the clock (the first call's due instant) and the later steps."""
        with self._lock:
            if self._t0 is not None:
                return
            self._t0 = t0
        later = [(t, w) for t, w in self.steps if t > 0.0]
        self._thread = threading.Thread(target=self._run, args=(later,), daemon=True, name="lambdaprobe-shift")
        self._thread.start()

    def _run(self, steps: list[tuple[float, float]]) -> None:
        assert self._t0 is not None
        for t, weight in steps:
            if self._stop.wait(max(0.0, self._t0 + t - self.clock())):
                return
            self._step(weight)

    def _step(self, weight: float) -> None:
        with self._lock:
            if self.rolled_back or self.completed:
                return
            self._update(weight, f"{weight:.0%} of calls to version {self.new}")
            self.completed = weight >= 1.0

    def answered(self, version: str | None, function_error: str | None) -> None:
        """A sync call's answer: a version-2 error during the shift rolls it back."""
        if not (self.spec.rollback_on_error and function_error and version == self.new):
            return
        with self._lock:
            if self.rolled_back or self.completed:
                return
            self.rolled_back = True
            self._update(0.0, f"rolled back to version {self.old} after a version-{self.new} error")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
