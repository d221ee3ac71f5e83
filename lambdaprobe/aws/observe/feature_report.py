"""The AWS-only probes' results as report notes: the function's `feature` lines, the trials. Pure.

The handler logs `{"lambdaprobe": "feature", "feature": <kind>, "cold": ..., ...}` once per
invocation (`lambdaprobe.function.features`); the collector ignores those lines, `run.features`
reads them and this module words them as findings.
"""

from __future__ import annotations

import json
from typing import Any

from lambdaprobe.scenario import Scenario

NOT_BUILT = {
    "vpc": "not built: launching an EC2 host to connect to; the run connects to --host, or to the created "
    "VPC's DNS resolver (base address + 2, TCP 53)",
}
UNSIGNED_ONLY = (
    "the signed path (zip to S3, signer StartSigningJob, CreateFunction from the signed object) needs --region "
    "(the artifact bucket's location): only unsigned code was tried"
)


def parse_feature_line(message: str) -> dict[str, Any] | None:
    """The handler's feature line, or None for any other line."""
    start = message.find("{")
    if start < 0 or '"feature"' not in message:
        return None
    try:
        data = json.loads(message[start:])
    except (ValueError, RecursionError):  # a function's line may be anything, thousands deep included
        return None
    if not isinstance(data, dict) or data.get("lambdaprobe") != "feature":
        return None
    return data


def _call(line: dict[str, Any]) -> str:
    return "cold call" if line.get("cold") else "warm call"


def _one(line: dict[str, Any]) -> str:
    kind = line.get("feature")
    if kind == "vpc":
        target = f"{line.get('host')}:{line.get('port')}"
        if line.get("ok"):
            return f"TCP connect to {target} took {line.get('connect_ms', 0):.1f} ms ({_call(line)})"
        took = f"{line.get('connect_ms', 0):.1f} ms"
        return f"TCP connect to {target} failed after {took}: {line.get('error')} ({_call(line)})"
    if kind == "efs":
        if line.get("ok"):
            return (
                f"wrote {line.get('bytes')} bytes to {line.get('path')} in {line.get('write_ms', 0):.1f} ms and read "
                f"them back unchanged in {line.get('read_ms', 0):.1f} ms ({_call(line)})"
            )
        return f"file round trip on {line.get('path')} failed: {line.get('error')} ({_call(line)})"
    if kind == "env-encryption":
        if line.get("ok"):
            client = f", after {line['client_ms']:.0f} ms building a boto3 client" if line.get("client_ms") else ""
            return (
                f"the KMS-encrypted environment variable decrypted in the function in "
                f"{line.get('decrypt_ms', 0):.1f} ms{client} and matches what was encrypted ({_call(line)})"
            )
        return f"kms:Decrypt in the function failed: {line.get('error_code')}: {line.get('error')} ({_call(line)})"
    return f"the function ran ({kind}, {_call(line)})"


def feature_notes(scenario: Scenario, lines: list[dict[str, Any]], signed: bool = True) -> list[str]:
    """One finding per feature line (cold call first), and what is not built, said plainly."""
    feature = scenario.feature
    if feature is None:
        return []
    notes = [f"finding: {_one(line)}" for line in sorted(lines, key=lambda x: float(x.get("t", 0)))]
    if not lines and feature.kind != "code-signing" and feature.mount_target:
        notes.append(f"{feature.kind}: no feature result line found in the function's logs")
    if feature.kind in NOT_BUILT:
        notes.append(f"{feature.kind}: {NOT_BUILT[feature.kind]}")
    if feature.kind == "code-signing" and not signed:
        notes.append(f"code-signing: {UNSIGNED_ONLY}")
    return notes


def trial_note(what: str, expect: str, outcome: str) -> str:
    return f"finding: {what}: {outcome} (AWS documents: {expect})"
