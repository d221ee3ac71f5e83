"""The run journal and the heartbeat: written before creates, private, renewed, removed when clean."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.aws.options import EXPIRES_TAG, LEASE_S, AwsOptions
from lambdaprobe.aws.run.apply import Deployment
from lambdaprobe.aws.run.journal import Entry, RunJournal, read_journals
from lambdaprobe.aws.target import beat
from lambdaprobe.errors import AwsError


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((service, operation, params))
        return {}


def test_the_journal_is_private_renewed_and_removed_after_a_clean_teardown(private_state_dir: Path) -> None:
    journal = RunJournal.open("lp0a0b0c", {"region": "eu-west-1", "endpoint_url": None})
    path = private_state_dir / "runs" / "lp0a0b0c.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    journal.intend(Entry("sqs.CreateQueue", {"QueueName": "lambdaprobe-lp0a0b0c-dlq"}))
    [read] = read_journals()[0]
    assert read.run_id == "lp0a0b0c" and read.live(time.time()) and read.entries[0]["state"] == "intended"
    journal.finish([])
    assert not path.exists()
    journal.renew()  # a heartbeat that was under way when the run ended
    assert not path.exists()


def test_a_journal_with_leftovers_is_kept_and_marked_abandoned(private_state_dir: Path) -> None:
    journal = RunJournal.open("lp0a0b0d", {})
    left = Entry("dynamodb.CreateTable", {}, ["dynamodb", "DeleteTable", {"TableName": "t"}], "created")
    journal.finish([left])
    data = json.loads((private_state_dir / "runs" / "lp0a0b0d.json").read_text())
    assert data["lease_until"] == 0 and data["entries"][0]["teardown"][1] == "DeleteTable"


def test_the_heartbeat_renews_the_lease_and_the_roles_expiry_tag(private_state_dir: Path) -> None:
    options = AwsOptions(run_id="lp0a0b0e")
    journal = RunJournal.open(options.run_id, {})
    journal.lease_until = 0
    client = Recorder()
    deployment = Deployment()
    beat(client, options, journal, deployment)  # type: ignore[arg-type]
    assert client.calls == [] and journal.lease_until > time.time()  # no role yet: nothing to tag
    deployment.outputs["role_arn"] = "arn:aws:iam::123456789012:role/lambdaprobe-lp0a0b0e-role"
    beat(client, options, journal, deployment)  # type: ignore[arg-type]
    [(service, operation, params)] = client.calls
    assert (service, operation, params["RoleName"]) == ("iam", "TagRole", "lambdaprobe-lp0a0b0e-role")
    [tag] = params["Tags"]
    assert tag["Key"] == EXPIRES_TAG and float(tag["Value"]) >= time.time() + LEASE_S - 5


def test_an_unwritable_state_dir_stops_the_run_before_anything_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("LAMBDAPROBE_STATE_DIR", str(blocker / "sub"))
    with pytest.raises(AwsError, match=r"nothing was created\. Set LAMBDAPROBE_STATE_DIR"):
        RunJournal.open("lp0a0b0f", {})
