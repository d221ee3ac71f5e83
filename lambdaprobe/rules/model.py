"""What a rule is: documented by AWS (with its sources), or an assumption (with what measures it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from lambdaprobe.rules.ids import RuleId

Kind = Literal["documented", "assumption"]
Constant = int | float | str


@dataclass(frozen=True)
class Rule:
    """One rule of the model.

    `text` is one sentence in our own words. `sources` are AWS documentation pages (for an
    assumption: the pages that document what surrounds it, and say nothing of the assumed part).
    `measures` (assumptions only): what a `--target aws` run measures to check it. `constants`: the
    values the rule defines, which the simulator, the AWS collector, validation and --help read.
    `probes`: the commands whose runs may rely on it.
    """

    id: RuleId
    kind: Kind
    text: str
    sources: tuple[str, ...]
    probes: tuple[str, ...]
    measures: str = ""
    constants: Mapping[str, Constant] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The report's `rules[]` entry (the run's record of what it relied on)."""
        return {"id": self.id.value, "kind": self.kind, "text": self.text, "sources": list(self.sources)}

    def note(self) -> str:
        """The report note an assumption gets (notes[] predates rules[] and keeps listing them)."""
        return f"assumption: {self.text[0].lower()}{self.text[1:].rstrip('.')} [{self.id.value}]"


def documented(
    rid: RuleId, text: str, sources: tuple[str, ...], probes: tuple[str, ...], **constants: Constant
) -> Rule:
    return Rule(rid, "documented", text, sources, probes, constants=constants)


def assumption(
    rid: RuleId, text: str, measures: str, sources: tuple[str, ...], probes: tuple[str, ...], **constants: Constant
) -> Rule:
    return Rule(rid, "assumption", text, sources, probes, measures=measures, constants=constants)
