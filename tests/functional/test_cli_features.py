"""The AWS-only probes on the CLI: one line on sim, exit 2 on bad options, a dry run that calls nothing."""

from __future__ import annotations

import pytest

from lambdaprobe.cli import main

COMMANDS = ["vpc", "efs", "code-signing", "env-encryption"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("command", COMMANDS)
def test_on_sim_each_says_in_one_line_that_it_needs_aws(capsys: pytest.CaptureFixture[str], command: str) -> None:
    status, out, err = run(capsys, command)
    assert (status, out) == (2, "")
    (line,) = err.strip().splitlines()
    assert line.startswith(f"lambdaprobe: error: {command}: needs --target aws: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["vpc", "--port", "70000"], "--port: 70000 is out of range; allowed: 1..65535"),
        (["vpc", "--host", "db.example"], "--host: 'db.example' is not an IP address"),
        (["vpc", "--subnet", "subnet-0123abcd"], "--security-group: give --subnet and --security-group together"),
        (["vpc", "--subnet", "subnet-0123abcd", "--security-group", "sg-0123abcd"], "--host: required with --subnet"),
        (["efs", "--subnet", "net-1", "--security-group", "sg-0123abcd"], "--subnet: 'net-1' is not a subnet id"),
        (["code-signing", "--policy", "Audit"], "--policy: 'Audit' is not allowed; allowed: Enforce, Warn"),
    ],
)
@pytest.mark.parametrize("target", ["sim", "aws"])
def test_bad_options_are_exit_2_before_any_call(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str, target: str
) -> None:
    # Port 9 on loopback answers nothing: validation must come first on either target.
    aws = ["--target", "aws", "--yes", "--endpoint-url", "http://127.0.0.1:9"] if target == "aws" else []
    status, out, err = run(capsys, *argv, *aws)
    assert (status, out) == (2, "")
    assert message in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["vpc"], ["ec2.CreateVpc", "ec2.DeleteVpc", '"VpcConfig"']),
        (["efs"], ["efs.CreateMountTarget", '"FileSystemConfigs"', "efs.DeleteFileSystem"]),
        (["efs", "--no-mount-target"], ["Trials (1;", "no-mount-target"]),
        # the region is resolved before the plan, so the signed path is planned too
        (["code-signing"], ["Trials (2;", "signer.StartSigningJob", "region:   us-east-1"]),
        (["code-signing", "--region", "eu-west-1"], ["Trials (2;", "signer.StartSigningJob", "-signed"]),
        (
            ["code-signing", "--policy", "Warn"],
            ['"UntrustedArtifactOnDeployment": "Warn"', "signer.CancelSigningProfile"],
        ),
        (["env-encryption"], ['"KMSKeyArn": "<key_arn>"', '"PendingWindowInDays": 7', "kms:Decrypt"]),
    ],
)
def test_dry_run_prints_the_feature_plan_and_calls_nothing(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]
) -> None:
    region = [] if "--region" in argv else ["--region", "us-east-1"]
    status, out, err = run(capsys, *argv, *region, "--target", "aws", "--dry-run", "--endpoint-url", "http://127.0.0.1:9")
    assert status == 0, err
    assert "\nDeploy (" in out
    for fragment in expected:
        assert fragment in out


def test_help_lists_the_four_probes_with_their_question(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for command in COMMANDS:
        assert f"  {command} " in out


def test_compare_is_refused_for_probes_the_simulator_does_not_model(capsys: pytest.CaptureFixture[str]) -> None:
    # the option is not even offered: --help of the AWS-only probes lists only what applies
    status, out, err = run(capsys, "env-encryption", "--target", "aws", "--compare", "--dry-run")
    assert (status, out) == (2, "")
    assert "No such option: --compare" in err
    status, out, _ = run(capsys, "env-encryption", "--help")
    assert status == 0
    for absent in ("--compare", "--seed", "--max-rows", "--full", "--verbose"):
        assert absent not in out


def test_the_confirmation_lists_the_trial_function_too() -> None:
    from lambdaprobe.aws.options import AwsOptions
    from lambdaprobe.aws.target import AwsTarget
    from lambdaprobe.scenarios import features

    lines = AwsTarget(AwsOptions(run_id="lpconf00")).confirmation(features.code_signing(policy="Enforce", seed=0))
    assert "signer profile lambdaprobe_lpconf00_signer" in lines
    assert any(line.startswith("lambda function lambdaprobe-lpconf00-unsigned (a trial: Enforce") for line in lines)
