"""Every citation in the project resolves: the package (code comments, docstrings, help and note
strings, data files), the deployed handler, the README and every command's --help cite rule ids
that `lambdaprobe rules` knows, and nothing cites letter keys or files outside the repository."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdaprobe.cli import main
from lambdaprobe.cli_common import app
from lambdaprobe.rules import RULES, RuleId

ROOT = Path(__file__).resolve().parents[2]
# Rule ids in brackets, alone or several in one pair: [async.retry-spacing], [a.b, c.d]
RULE_CITATION = re.compile(r"\[((?:[a-z][a-z0-9-]*\.[a-z0-9.-]+)(?:,\s*[a-z][a-z0-9-]*\.[a-z0-9.-]+)*)\]")
# Letter keys of an outside reference list, section marks and the files they come from
FOREIGN = re.compile(
    r"\[(?:[A-Z]{1,2}\d?)(?:,\s*[A-Z]{1,2}\d?)*\]|§\s?\d|" + "SEMANT" + r"ICS(?:\.md)?|" + "ARCHIT" + r"ECTURE\.md"
)
KNOWN = {i.value for i in RuleId}
F_FIELD = re.compile(r"\{[^{}]*\}")


def _prose_of_python(text: str) -> Iterator[str]:
    """Comments and string literals only: code such as `d[a.b]` or `dict[K, V]` cites nothing."""
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            yield token.string
        elif token.type == tokenize.STRING:
            prefix = token.string[: len(token.string) - len(token.string.lstrip("rRbBuUfF"))]
            # an f-string's replacement fields are code
            yield F_FIELD.sub("", token.string) if "f" in prefix.lower() else token.string


def _sources() -> Iterator[tuple[str, str]]:
    this = Path(__file__).resolve()
    roots = [ROOT / "lambdaprobe", ROOT / "probes", ROOT / "payloads", ROOT / "tests", ROOT / "benchmarks"]
    files = [p for r in roots if r.exists() for p in r.rglob("*") if p.is_file()]
    files += [ROOT / "README.md"]
    for path in sorted(set(files)):
        if path.resolve() == this or path.suffix not in (".py", ".md", ".json", ".txt"):
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if path.suffix == ".py":
            for prose in _prose_of_python(text):
                yield name, prose
        else:
            yield name, text


def _help_texts() -> Iterator[tuple[str, str]]:
    commands = [c.name for c in app.registered_commands if c.name]
    for argv in [["--help"], *([name, "--help"] for name in commands)]:
        out = io.StringIO()
        from contextlib import redirect_stdout

        with redirect_stdout(out):
            assert main(argv) == 0
        yield "lambdaprobe " + " ".join(argv), out.getvalue()


def _everything() -> list[tuple[str, str]]:
    rules_text = [(f"rule {r.id.value}", f"{r.text} {r.measures}") for r in RULES.values()]
    return [*_sources(), *_help_texts(), *rules_text]


def test_nothing_cites_letter_keys_or_outside_files() -> None:
    found = [f"{where}: {m.group(0)!r}" for where, text in _everything() for m in FOREIGN.finditer(text)]
    assert found == [], "\n".join(found)


def test_every_cited_rule_id_resolves() -> None:
    cited: dict[str, set[str]] = {}
    for where, text in _everything():
        for m in RULE_CITATION.finditer(text):
            for rid in re.split(r",\s*", m.group(1)):
                cited.setdefault(rid, set()).add(where)
    unknown = {rid: sorted(where) for rid, where in cited.items() if rid not in KNOWN}
    assert unknown == {}, "\n".join(f"{rid}: {', '.join(w)}" for rid, w in unknown.items())
    # the collector sees the citations: the model cites most of its rules somewhere
    assert len(set(cited) & KNOWN) > len(KNOWN) // 2


@pytest.mark.parametrize("text", ["[K, W, X]", "see [M]", "§5", "SEMANT" + "ICS.md", "[AG]"])
def test_the_collector_catches_each_kind_of_foreign_citation(text: str) -> None:
    assert FOREIGN.search(text)


def test_the_collector_reads_comments_and_strings_not_code() -> None:
    code = 'x = d[a.b]  # [async.retry-spacing]\ny: dict[K, V] = {}\nz = "[bogus.rule]"\nf"{n[a.b]} s"\n'
    prose = list(_prose_of_python(code))
    cited = [m.group(1) for p in prose for m in RULE_CITATION.finditer(p)]
    assert cited == ["async.retry-spacing", "bogus.rule"]
    assert not any(FOREIGN.search(p) for p in prose)
