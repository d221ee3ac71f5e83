"""The command line: one command per probe. The only place where errors become exit statuses."""

import os
import re
import sys
import typing
from enum import Enum

import typer
from typer import Abort, Exit

# typer >= 0.29 carries its own copy of click; its exceptions are not re-exported.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from lambdaprobe import commands
from lambdaprobe.cli_common import app
from lambdaprobe.errors import ExitStatus, Interrupted, LambdaprobeError, PipeClosed, Stopped

__all__ = ["app", "commands", "main"]


def _interrupted(interrupted: Interrupted) -> int:
    """The signal's own exit status (130, 143, 129), and what teardown left, if anything."""
    message = interrupted.message or f"interrupted by {interrupted.signal_name}"
    from lambdaprobe.render.plain import plain

    print(f"lambdaprobe: {plain(' '.join(message.split()))}", file=sys.stderr)
    return int(interrupted.status)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (also the process's when run as the console script)."""
    try:
        return _main(argv)
    except (BrokenPipeError, PipeClosed):
        # The reader went away (`lambdaprobe retry | head -3`): end quietly, as Unix tools do. Point
        # stdout at /dev/null so the interpreter's final flush does not complain a second time.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is not a real file (tests capture it)
            pass
        return int(ExitStatus.PIPE_CLOSED)


_NOT_A_CHOICE = re.compile(
    r"Invalid value for '(?P<option>[^']+)'(?: \(env var: '[^']+'\))?: (?:Value error, )?'(?P<value>.*)' is not one of"
)


def usage_line(err: UsageError) -> str:
    """click's message on one line; a wrong choice said as lambdaprobe says it, choices in their case."""
    message = " ".join(err.format_message().split())
    match = _NOT_A_CHOICE.match(message)
    choices = _choices(getattr(getattr(err, "param", None), "type_descriptor", None))
    if match and choices:
        return f"{match['option']}: {match['value']!r} is not allowed; allowed: {', '.join(choices)} (any case)"
    return message.replace("Value error, ", "")


def _choices(descriptor: object) -> list[str]:
    """The values of the Enum behind an option (typer lowercases them in its own message)."""
    annotation = getattr(descriptor, "annotation", None)
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return [str(member.value) for member in candidate]
    return []


def _main(argv: list[str] | None) -> int:
    command = typer.main.get_command(app)
    try:
        returned = command.main(args=argv, prog_name="lambdaprobe", standalone_mode=False)
    except Exit as done:
        return int(done.exit_code)
    except NoArgsIsHelpError as err:
        print(err.ctx.get_help() if err.ctx else "", file=sys.stderr)
        return int(ExitStatus.USAGE)
    except UsageError as err:
        # One line naming the option and what it accepts; no usage block, no traceback.
        print(f"lambdaprobe: error: {usage_line(err)}", file=sys.stderr)
        return int(ExitStatus.USAGE)
    except ClickException as err:
        print(f"lambdaprobe: error: {' '.join(err.format_message().split())}", file=sys.stderr)
        return int(ExitStatus.USAGE)
    except Abort as abort:
        # click turns a KeyboardInterrupt (Interrupted included: Ctrl-C, SIGTERM, SIGHUP) into Abort
        cause = abort.__cause__ or abort.__context__
        if isinstance(cause, Interrupted):
            return _interrupted(cause)
        print("lambdaprobe: interrupted", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except Interrupted as interrupted:
        return _interrupted(interrupted)
    except KeyboardInterrupt:
        print("lambdaprobe: interrupted (anything created was torn down)", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except PipeClosed:
        raise
    except LambdaprobeError as err:
        from lambdaprobe.render.plain import plain  # an endpoint's error text may carry escapes

        label = "" if isinstance(err, Stopped) else "error: "  # a signal is no error of the user's
        print(f"lambdaprobe: {label}{plain(err)}", file=sys.stderr)
        return int(err.status)
    # typer turns Ctrl-C into an exit status of 130 and returns it (the AWS target has torn down by then)
    if returned == ExitStatus.INTERRUPTED:
        print("lambdaprobe: interrupted (anything created was torn down)", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    return returned if isinstance(returned, int) else int(ExitStatus.OK)
