"""Exit statuses and the exceptions that map to them (mapped only in `cli`)."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdaprobe.observation import Observations


class ExitStatus(IntEnum):
    OK = 0
    EXPECTATION_FAILED = 1
    USAGE = 2
    AWS_ERROR = 3
    OBSERVATION_TIMEOUT = 4
    DECLINED = 6  # 5 is the leftovers status of a run that could not tear everything down
    INTERRUPTED = 130
    # stdout closed early (`lambdaprobe retry | head -3`): what a process ended by SIGPIPE reports
    PIPE_CLOSED = 141


class LambdaprobeError(Exception):
    """Base of the errors lambdaprobe reports as one line and an exit status."""

    status: ExitStatus = ExitStatus.USAGE


class InputError(LambdaprobeError):
    """Bad input: names the option and what it accepts. Raised before any resource is touched."""

    status = ExitStatus.USAGE

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


class NotAvailableError(LambdaprobeError):
    """A capability that this build or this target does not offer (said plainly, exit 2)."""

    status = ExitStatus.USAGE


class AwsError(LambdaprobeError):
    """AWS (or credentials, or the endpoint) refused or failed; resources were rolled back."""

    status = ExitStatus.AWS_ERROR


class ObservationTimeout(LambdaprobeError):
    """The deadline passed before every expected observation arrived; `observations` holds what was
    seen (complete=False, missing=[...]), for the partial report."""

    status = ExitStatus.OBSERVATION_TIMEOUT

    def __init__(self, message: str, observations: Observations) -> None:
        super().__init__(message)
        self.observations = observations


class ExpectationFailed(LambdaprobeError):
    """An `--expect` did not hold (the report was still printed)."""

    status = ExitStatus.EXPECTATION_FAILED


class Declined(LambdaprobeError):
    """The user answered no to creating resources (or to deleting leftovers)."""

    status = ExitStatus.DECLINED


class PipeClosed(LambdaprobeError):
    """Whoever read stdout went away (`| head`): the run ends quietly, with no message."""

    status = ExitStatus.PIPE_CLOSED
