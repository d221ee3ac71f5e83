"""The README's examples are current: every `$ lambdaprobe ...` on the sim target runs with exit 0, and
where the README prints its output, the output is exactly what the command prints today (80 columns;
a line `...` marks lines left out)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from lambdaprobe.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> list[tuple[str, str | None]]:
    """(command line, printed output or None) for each `$ lambdaprobe` line in a code block."""
    out: list[tuple[str, str | None]] = []
    for block in re.findall(r"^```\n(.*?)^```$", README.read_text(encoding="utf-8"), flags=re.M | re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("$ lambdaprobe "):
                continue
            following = []
            for nxt in lines[i + 1 :]:
                if nxt.startswith("$ "):
                    break
                following.append(nxt)
            out.append((line[2:], "\n".join(following) + "\n" if following else None))
    return out


EXAMPLES = [(cmd, output) for cmd, output in examples() if "--target aws" not in cmd]


def test_the_readme_has_examples_with_output() -> None:
    assert sum(1 for _, output in EXAMPLES if output is not None) >= 8


@pytest.mark.parametrize(("command", "output"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_a_readme_example_prints_what_the_readme_says(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str, output: str | None
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("LAMBDAPROBE_TARGET", raising=False)
    monkeypatch.chdir(README.parent)  # examples name files of the repository (payloads/...)
    argv = shlex.split(command.split("  #")[0])[1:]
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 0, err
    if output is None:
        return
    if "\n...\n" not in output:
        assert out == output
        return
    # a line "..." in the README stands for lines left out; the rest appears whole and in order
    at = 0
    for chunk in output.split("...\n"):
        found = out.find(chunk, at)
        assert found >= 0, chunk
        at = found + len(chunk)
