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
    LEFTOVERS = 5  # the run could not tear everything down: the message names each leftover
    DECLINED = 6  # the user answered no at the confirmation
    HANGUP = 129
    INTERRUPTED = 130
    # stdout closed early (`lambdaprobe retry | head -3`): what a process ended by SIGPIPE reports
    PIPE_CLOSED = 141
    TERMINATED = 143


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


class TeardownIncomplete(LambdaprobeError):
    """Teardown could not delete everything: the message names each leftover and the cleanup command.

    `observations` (when the run got that far) is the report to print before exiting.
    """

    status = ExitStatus.LEFTOVERS

    def __init__(self, message: str, leftovers: list[str], observations: object = None) -> None:
        super().__init__(message)
        self.leftovers = leftovers
        self.observations = observations


class Stopped(LambdaprobeError):
    """A run ended by a signal, after teardown: `status` is the signal's (130, 143, 129).

    The runner turns `Interrupted` into this once the partial report is out, so that the command
    line framework, which swallows KeyboardInterrupt, passes it on intact.
    """

    def __init__(self, message: str, status: ExitStatus) -> None:
        super().__init__(message)
        self.status = status


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP: raised after teardown, with the signal's conventional exit status.

    `message` is the honest one-line outcome (what teardown could not delete, if anything);
    `observations` what the run saw before the interrupt (for the partial report), if anything.
    """

    def __init__(self, signal_name: str = "SIGINT", status: ExitStatus = ExitStatus.INTERRUPTED) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.status = status
        self.message = ""
        self.observations: object = None
