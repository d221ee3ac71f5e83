from typing import Annotated

import typer

from lambdaprobe.cli_common import NOT_FOR_FEATURES, app, probe_command
from lambdaprobe.options import CommonOptions


@app.command(
    "vpc", short_help="How fast is a TCP connect from a VPC function? (aws)",
    epilog="Without --subnet the run creates a VPC (10.90.0.0/16), one subnet and a security group, and connects "
    "to the VPC's Amazon-provided DNS resolver (10.90.0.2, TCP 53). No EC2 host is launched (not built). "
    "Teardown waits until Lambda has released its network interfaces, which can take many minutes.",
)
@probe_command(without=NOT_FOR_FEATURES)
def vpc_command(
    common: CommonOptions,
    subnet: Annotated[list[str] | None, typer.Option(metavar="SUBNET_ID", help="An existing subnet id (repeatable, up to 16); with --security-group. Default: create a VPC.")] = None,
    security_group: Annotated[list[str] | None, typer.Option(metavar="SG_ID", help="An existing security group id (repeatable, up to 5); with --subnet.")] = None,
    host: Annotated[str | None, typer.Option(metavar="IP", help="IP address to open a TCP connection to from the function (required with --subnet; default: the created VPC's DNS resolver 10.90.0.2).")] = None,
    port: Annotated[int, typer.Option(help="TCP port on --host (1..65535; default 53 for the resolver).")] = 53,
) -> None:
    """How long does a TCP connect take from a function in a VPC, and what does the VPC cost the cold start? (aws only)"""
    from lambdaprobe.runner import run_probe
    from lambdaprobe.scenario import Scenario
    from lambdaprobe.scenarios import features as probe

    def build() -> Scenario:
        scenario = probe.vpc(subnets=subnet or [], security_groups=security_group or [], host=host, port=port, seed=common.seed)
        probe.require_aws("vpc", common.target)
        return scenario

    run_probe(common, build, probe.findings)
