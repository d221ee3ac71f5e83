from typing import Annotated

import typer

from lambdaprobe.cli_common import TargetName, app


@app.command("cleanup", short_help="Delete leftover lambdaprobe resources (aws).")
def cleanup_command(
    target: Annotated[TargetName, typer.Option(envvar="LAMBDAPROBE_TARGET", case_sensitive=False, help="aws (the simulator leaves nothing).")] = TargetName.sim,
    older_than: Annotated[str, typer.Option(metavar="DURATION", help="Only leftovers at least this old, e.g. 0, 90s, 30m, 2h, 1d (ignored with --run).")] = "1h",
    run: Annotated[str | None, typer.Option(metavar="RUN_ID", help="Only this run's leftovers (lp + 6 hex digits), whatever their age, even if the run looks live.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be deleted and what is skipped; delete nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    region: Annotated[str | None, typer.Option(help="AWS Region.")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS named profile.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(metavar="URL", help="Any AWS-compatible endpoint instead of AWS.")] = None,
) -> None:
    """Find and delete leftover lambdaprobe resources of abandoned runs (named lambdaprobe-<run>-* and
    tagged lambdaprobe:run=<run>, or named by an abandoned local run journal). Live runs, and what a run
    did not create, are skipped and listed. Exit 0: everything chosen was deleted; 5: something could
    not be read or deleted (listed)."""
    import sys

    from lambdaprobe.answer import plural
    from lambdaprobe.errors import Declined, InputError

    if target is not TargetName.aws:
        raise InputError("--target", "cleanup applies only to --target aws: the simulator creates nothing")
    from lambdaprobe.aws.cleanup.sweep import cleanup, parse_duration
    from lambdaprobe.aws.options import AwsOptions
    from lambdaprobe.render.plain import plain
    from lambdaprobe.runner import stderr_progress

    older_than_s = parse_duration(older_than)

    def confirm(found: list[str]) -> bool:
        if not found:
            return False
        print("cleanup in:", file=sys.stderr)
        for line in where.lines():
            print(f"  {line}", file=sys.stderr)
        print(f"{plural(len(found), 'leftover resource')}:", file=sys.stderr)
        for line in found:
            print(f"  {plain(line)}", file=sys.stderr)
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
    result = cleanup(
        options, confirm, older_than_s=None if run else older_than_s, progress=stderr_progress(), run_id=run,
        dry_run=dry_run,
    )
    for line in result.skipped:
        print(f"  skipped: {plain(line)}", file=sys.stderr)
    for line in result.blocked:
        print(f"  skipped: {plain(line)}", file=sys.stderr)
    for line in result.unreadable:
        print(f"  unreadable, skipped: {plain(line)}", file=sys.stderr)
    if dry_run:
        for leftover in result.found:
            print(f"  would delete: {plain(leftover.describe())}", file=sys.stderr)
        skipped = len(result.skipped) + len(result.blocked) + len(result.unreadable)
        print(f"found {len(result.found)} (dry run: nothing deleted), skipped {skipped}")
        return
    skipped = len(result.skipped) + len(result.blocked) + len(result.unreadable)
    print(f"found {len(result.found)}, deleted {len(result.deleted)}, failed {len(result.failed)}, skipped {skipped}")
    for line in result.failed:
        print(f"  not deleted: {plain(line)}", file=sys.stderr)
    if result.failed or result.unreadable or result.blocked:
        from lambdaprobe.errors import TeardownIncomplete

        raise TeardownIncomplete(
            f"{plural(len(result.failed), 'leftover')} could not be deleted, {len(result.blocked)} not deletable, "
            f"{len(result.unreadable)} unreadable (listed above)",
            result.failed,
        )
