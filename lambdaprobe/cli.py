"""The command line: one command per probe. The only place where errors become exit statuses."""

import sys

import typer
from typer import Abort, Exit

# typer >= 0.29 carries its own copy of click; its exceptions are not re-exported.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from lambdaprobe import commands
from lambdaprobe.cli_common import app
from lambdaprobe.errors import ExitStatus, LambdaprobeError

__all__ = ["app", "commands", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (also the process's when run as the console script)."""
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
        print(f"lambdaprobe: error: {' '.join(err.format_message().split())}", file=sys.stderr)
        return int(ExitStatus.USAGE)
    except ClickException as err:
        print(f"lambdaprobe: error: {' '.join(err.format_message().split())}", file=sys.stderr)
        return int(ExitStatus.USAGE)
    except Abort:
        print("lambdaprobe: interrupted", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except KeyboardInterrupt:
        print("lambdaprobe: interrupted (anything created was torn down)", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except LambdaprobeError as err:
        print(f"lambdaprobe: error: {err}", file=sys.stderr)
        return int(err.status)
    # typer turns Ctrl-C into an exit status of 130 and returns it (the AWS target has torn down by then)
    if returned == ExitStatus.INTERRUPTED:
        print("lambdaprobe: interrupted (anything created was torn down)", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    return returned if isinstance(returned, int) else int(ExitStatus.OK)
