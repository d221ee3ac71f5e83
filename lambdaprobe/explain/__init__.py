"""`lambdaprobe explain`: the model run on a real function's configuration, and what in it loses events or money.

model       the configuration as frozen data
template    reads an AWS SAM / CloudFormation template (the `explain` extra)
account     reads a deployed function with read-only calls
checks      the findings catalogue
journeys    the existing scenarios on the simulator, with the function's exact settings
output      the JSON and SARIF forms
"""

from __future__ import annotations

from dataclasses import dataclass

from lambdaprobe.explain.checks import Finding
from lambdaprobe.explain.journeys import Journey, Settings
from lambdaprobe.explain.model import Configuration, FunctionConfig


@dataclass(frozen=True)
class Explained:
    function: FunctionConfig
    journeys: tuple[Journey, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Explanation:
    configuration: Configuration
    functions: tuple[Explained, ...]

    @property
    def findings(self) -> list[Finding]:
        return [f for e in self.functions for f in e.findings]


def explain(configuration: Configuration, settings: Settings) -> Explanation:
    """Every function's journeys and findings."""
    from lambdaprobe.explain import checks, journeys

    return Explanation(
        configuration,
        tuple(
            Explained(
                fn,
                tuple(journeys.for_function(fn, settings)),
                tuple(checks.run(fn, configuration.account, settings.duration_s)),
            )
            for fn in configuration.functions
        ),
    )
