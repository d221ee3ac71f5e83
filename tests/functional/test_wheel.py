"""The built wheel ships what the package reads at run time: the deployed function's files (the
zip the AWS target uploads, the `decide` the simulator imports) and the payload templates, and its
runtime requirements are the base dependencies only.

Built offline with the project's own backend (setuptools, from the test extra), in a copy of the
tree so the checkout gets no build directory.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("lambdaprobe", "probes", "payloads"):
        shutil.copytree(ROOT / folder, src / folder, symlinks=True, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (built,) = out.glob("lambdaprobe-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_ships_the_probe_function_and_the_payloads(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for path in sorted((ROOT / "probes").glob("*.py")):
        assert f"lambdaprobe/function/{path.name}" in names
        assert wheel.read(f"lambdaprobe/function/{path.name}") == path.read_bytes()
    payloads = sorted((ROOT / "payloads").glob("*.json"))
    assert payloads
    for path in payloads:
        assert wheel.read(f"lambdaprobe/payloads/{path.name}") == path.read_bytes()


def test_the_wheel_requires_the_base_dependencies_only(wheel: zipfile.ZipFile) -> None:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line.split(":", 1)[1].strip()
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert sorted(r.split(">")[0].split("=")[0] for r in requires) == ["boto3", "rich", "tenacity", "typer"]


def test_the_package_finds_its_data_where_it_is_installed() -> None:
    from lambdaprobe.aws.plan.bundle import function_zip
    from lambdaprobe.templates import invoke_event

    with zipfile.ZipFile(io.BytesIO(function_zip())) as z:
        assert {"handler.py", "directive.py", "features.py"} <= set(z.namelist())
    assert invoke_event("r01", {})["request"] == "r01"
