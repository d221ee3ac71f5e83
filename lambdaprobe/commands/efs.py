from typing import Annotated

import typer

from lambdaprobe.cli_common import NOT_FOR_FEATURES, app, probe_command
from lambdaprobe.options import CommonOptions


@app.command(
    "efs", short_help="Does an EFS access point work in the function? (aws)",
    epilog="Creates an EFS file system, a mount target in the run's subnet (unless --no-mount-target), an access point "
    "(uid/gid 1000, root /lambdaprobe) and a VPC (or uses --subnet/--security-group; the group must allow NFS, "
    "TCP 2049, from itself). The function mounts it at /mnt/probe, writes a file and reads it back.",
)
@probe_command(without=NOT_FOR_FEATURES)
def efs_command(
    common: CommonOptions,
    subnet: Annotated[list[str] | None, typer.Option(metavar="SUBNET_ID", help="An existing subnet id (repeatable, up to 16); with --security-group. Default: create a VPC.")] = None,
    security_group: Annotated[list[str] | None, typer.Option(metavar="SG_ID", help="An existing security group id (repeatable, up to 5); with --subnet.")] = None,
    mount_target: Annotated[bool, typer.Option("--mount-target/--no-mount-target", help="--no-mount-target: give the file system no mount target and show what Lambda says.")] = True,
) -> None:
    """Can a function write to an EFS access point and read it back, and what happens without a mount target? (aws only)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenario import Scenario
    from lambdaprobe.scenarios import features as probe

    def build() -> Scenario:
        scenario = probe.efs(subnets=subnet or [], security_groups=security_group or [], mount_target=mount_target, seed=common.seed)
        probe.require_aws("efs", common.target)
        return scenario

    run_probe(common, build, probe.findings)
