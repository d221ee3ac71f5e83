from typing import Annotated

import typer

from lambdaprobe.cli_common import TargetName, app


@app.command("cleanup", short_help="Delete leftover lambdaprobe resources (aws).")
def cleanup_command(
    target: Annotated[TargetName, typer.Option(envvar="LAMBDAPROBE_TARGET", case_sensitive=False, help="aws (the simulator leaves nothing).")] = TargetName.sim,
    older_than: Annotated[str | None, typer.Option(metavar="DURATION", help="Only leftovers older than this, e.g. 90s, 30m, 2h, 1d.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    region: Annotated[str | None, typer.Option(help="AWS Region.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS named profile.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(metavar="URL", help="Any AWS-compatible endpoint instead of AWS.")] = None,
) -> None:
    """Find and delete leftover lambdaprobe resources (named lambdaprobe-* and tagged lambdaprobe:run)."""
    import sys

    from lambdaprobe.answer import plural
    from lambdaprobe.errors import Declined, InputError

    if target is not TargetName.aws:
        raise InputError("--target", "cleanup applies only to --target aws: the simulator creates nothing")
    from lambdaprobe.aws.cleanup.sweep import cleanup, parse_duration
    from lambdaprobe.aws.options import AwsOptions
    from lambdaprobe.runner import stderr_progress

    older_than_s = None if older_than is None else parse_duration(older_than)

    def confirm(found: list[str]) -> bool:
        if not found:
            return False
        print("cleanup in:", file=sys.stderr)
        for line in where.lines():
            print(f"  {line}", file=sys.stderr)
        print(f"{plural(len(found), 'leftover resource')}:", file=sys.stderr)
        for line in found:
            print(f"  {line}", file=sys.stderr)
        if yes:
            return True
        if not sys.stdin.isatty():
            raise InputError("--yes", "deleting needs confirmation: run interactively or pass --yes")
        if input("Delete them? [y/N] ").strip().lower() not in ("y", "yes"):
            raise Declined("nothing was deleted")
        return True

    import dataclasses

    from lambdaprobe.aws.context import resolve

    options = AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url, yes=yes)
    # a configuration mistake is exit 2 before the first call, as for the probes
    where = resolve(options, need_account=True)
    options = dataclasses.replace(options, region=where.region)
    result = cleanup(options, confirm, older_than_s=older_than_s, progress=stderr_progress())
    print(f"found {len(result.found)}, deleted {len(result.deleted)}, failed {len(result.failed)}")
    for line in result.failed:
        print(f"  not deleted: {line}", file=sys.stderr)
    if result.failed:
        from lambdaprobe.errors import AwsError

        raise AwsError(f"{plural(len(result.failed), 'leftover')} could not be deleted (listed above)")
