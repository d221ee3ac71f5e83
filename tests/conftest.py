"""Every test writes run journals into its own temporary directory, never the user's state dir."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("LAMBDAPROBE_STATE_DIR", str(state))
    return state
