"""`vpc`, `efs`, `code-signing`, `env-encryption`: features only a real account can answer for.

Their answers depend on the network, the file system, the signer and KMS, not on the Lambda
semantics the simulator models, so on `--target sim` each says so in one line (exit 2) after its
options have been validated. The builders are pure: the AWS planner reads `Scenario.feature`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from lambdaprobe.errors import InputError, NotAvailableError
from lambdaprobe.function.directive import Directive
from lambdaprobe.report import Finding, Report
from lambdaprobe.rules.constants import (  # [features.limits] VpcConfig.SubnetIds, VpcConfig.SecurityGroupIds
    MAX_SECURITY_GROUPS,
    MAX_SUBNETS,
)
from lambdaprobe.scenario import ConcurrencySpec, FeatureSpec, FunctionSpec, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import in_range, one_of
from lambdaprobe.scenarios.declare import option

WHY_AWS = {
    "vpc": "connect latency and ENI set-up depend on your network, not on Lambda's documented semantics",
    "efs": "mounting a file system is done by Lambda's workers and EFS, which the simulator does not model",
    "code-signing": "whether CreateFunction accepts unsigned code is decided by AWS Signer and Lambda's "
    "control plane, not by invocation semantics",
    "env-encryption": "decrypting an environment variable needs KMS and the function's IAM role",
}
POLICIES = ("Enforce", "Warn")  # CodeSigningPolicies.UntrustedArtifactOnDeployment [features.limits]
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
# The run's own VPC: the Amazon-provided DNS resolver sits at the VPC's base address + 2 and
# answers TCP on port 53, so a connect target exists without launching an EC2 host.
VPC_CIDR = "10.90.0.0/16"
SUBNET_CIDR = "10.90.1.0/24"
RESOLVER_HOST = "10.90.0.2"
RESOLVER_PORT = 53


def require_aws(probe: str, target: str, compare: bool = False) -> None:
    """One line, exit 2, when the probe is asked of the simulator (or to be compared with it)."""
    if target != "aws":
        raise NotAvailableError(f"{probe}: needs --target aws: {WHY_AWS[probe]}")
    if compare:
        raise InputError(
            "--compare", f"the simulator has no model of {probe} to compare with; allowed: without --compare"
        )


def _scenario(probe: str, feature: FeatureSpec, seed: int, params: tuple[tuple[str, object], ...]) -> Scenario:
    # Two sync calls to $LATEST, one after the other: the first is the cold start (with the feature
    # set up), the second shows the warm figure beside it.
    return Scenario(
        probe=probe,
        function=FunctionSpec(timeout_s=30.0, directive=Directive(duration_s=0.0, fail="never", init_s=0.0)),
        stimulus=Stimulus(count=2, interval_s=5.0, mode="sync"),
        source=SourceSpec(kind="sync"),
        concurrency=ConcurrencySpec(qualifier="latest"),
        seed=seed,
        params=params,  # no seed: nothing is drawn at random in these runs, and the command takes none
        feature=feature,
    )


def _network(subnets: list[str], security_groups: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    in_range("--subnet", len(subnets), 0, MAX_SUBNETS)
    in_range("--security-group", len(security_groups), 0, MAX_SECURITY_GROUPS)
    for s in subnets:
        if not SUBNET_ID.match(s):
            raise InputError("--subnet", f"{s!r} is not a subnet id; allowed: subnet-<8 or 17 hex digits>")
    for g in security_groups:
        if not SECURITY_GROUP_ID.match(g):
            raise InputError("--security-group", f"{g!r} is not a security group id; allowed: sg-<8 or 17 hex digits>")
    if bool(subnets) != bool(security_groups):
        raise InputError(
            "--subnet" if security_groups else "--security-group",
            "give --subnet and --security-group together (both, or neither to create a VPC)",
        )
    return tuple(subnets), tuple(security_groups)


def vpc(*, subnets: list[str], security_groups: list[str], host: str | None, port: int, seed: int) -> Scenario:
    nets, groups = _network(subnets, security_groups)
    in_range("--port", port, 1, 65535)
    if host is not None:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise InputError("--host", f"{host!r} is not an IP address; allowed: an IPv4 or IPv6 address") from None
    elif nets:
        raise InputError("--host", "required with --subnet: the IP address of a host in that network to connect to")
    if host is None:
        host, port = RESOLVER_HOST, RESOLVER_PORT
    feature = FeatureSpec(kind="vpc", subnets=nets, security_groups=groups, host=host, port=port)
    params: tuple[tuple[str, object], ...] = (
        ("subnet", ",".join(nets) or "created"),
        ("security_group", ",".join(groups) or "created"),
        ("host", host),
        ("port", port),
    )
    return _scenario("vpc", feature, seed, params)


def efs(*, subnets: list[str], security_groups: list[str], mount_target: bool, seed: int) -> Scenario:
    nets, groups = _network(subnets, security_groups)
    feature = FeatureSpec(kind="efs", subnets=nets, security_groups=groups, mount_target=mount_target)
    params: tuple[tuple[str, object], ...] = (
        ("subnet", ",".join(nets) or "created"),
        ("security_group", ",".join(groups) or "created"),
        ("mount_target", mount_target),
    )
    return _scenario("efs", feature, seed, params)


@dataclass(frozen=True)
class CodeSigningOptions:
    """code-signing's one option, declared as the other probes declare theirs."""

    policy: str = option("Enforce", "CodeSigningPolicies.UntrustedArtifactOnDeployment: Enforce refuses unsigned "
                         "code, Warn accepts it and logs a warning.", choices=POLICIES)


def code_signing(*, policy: str, seed: int) -> Scenario:
    one_of("--policy", policy, POLICIES)
    feature = FeatureSpec(kind="code-signing", policy=policy)  # type: ignore[arg-type]
    return _scenario("code-signing", feature, seed, (("policy", policy),))


def env_encryption(*, decrypt_permission: bool, seed: int) -> Scenario:
    feature = FeatureSpec(kind="env-encryption", decrypt_permission=decrypt_permission)
    return _scenario("env-encryption", feature, seed, (("decrypt_permission", decrypt_permission),))


def findings(report: Report) -> list[Finding]:
    """The cold start beside the warm call (the feature's own result is noted by the AWS target)."""
    attempts = [r.attempts[0] for r in report.requests if r.attempts]
    if not attempts:
        return []
    first = attempts[0]
    where = "in the VPC" if report.probe in ("vpc", "efs") else "with the feature"
    line = f"first call {where} {'cold' if first.cold else 'warm'}"
    if first.cold:
        line += f", init {first.init_s * 1000:.0f} ms"
    line += f", ran {(first.end_s - first.start_s) * 1000:.0f} ms"
    if len(attempts) > 1:
        second = attempts[1]
        took = (second.end_s - second.start_s) * 1000
        line += f"; second call {'cold' if second.cold else 'warm'}, ran {took:.0f} ms"
    return [Finding(line)]
