"""The Report: what a run found, and its JSON form (the CI contract, schema `lambdaprobe.report/1`).

Field names and meanings are a contract: adding a field is fine, changing one needs a schema bump.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from lambdaprobe.observation import DeadLetter, DestinationRecord, Final, Outcome

SCHEMA = "lambdaprobe.report/1"
OMITTED_NOTE = "saved with --summary-only: per-request detail and the concurrency series were left out"


@dataclass(frozen=True)
class Finding:
    """One line of a probe's answer, with the ids of the rules behind it (see `lambdaprobe rules`)."""

    text: str
    rules: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "rules": list(self.rules)}


@dataclass(frozen=True)
class Summary:
    requests: int = 0
    succeeded: int = 0
    failed: int = 0
    throttled: int = 0
    throttle_events: int = 0
    attempts: int = 0
    cold_starts: int = 0
    max_concurrency: int = 0
    dead_lettered: int = 0
    destination_records: int = 0


class ClientLike(Protocol):
    """What a report says of a caller's answer (a ClientResult observation reads as one)."""

    @property
    def status(self) -> int: ...
    @property
    def error(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def latency_s(self) -> float: ...
    @property
    def message(self) -> str | None: ...
    @property
    def error_type(self) -> str | None: ...


class AttemptLike(Protocol):
    """What a report says of one attempt (an Attempt observation reads as one, so analysis of a
    million requests need not copy them)."""

    @property
    def n(self) -> int: ...
    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def outcome(self) -> Outcome: ...
    @property
    def cold(self) -> bool: ...
    @property
    def init_s(self) -> float: ...
    @property
    def error(self) -> str | None: ...
    @property
    def receive_count(self) -> int | None: ...
    @property
    def billed_ms(self) -> int | None: ...
    @property
    def version(self) -> str | None: ...


@dataclass(slots=True)
class ClientView:
    status: int
    error: str | None
    reason: str | None
    latency_s: float
    message: str | None = None
    error_type: str | None = None


@dataclass(slots=True)
class AttemptView:
    n: int
    start_s: float
    end_s: float
    outcome: Outcome
    cold: bool
    init_s: float
    error: str | None
    receive_count: int | None
    billed_ms: int | None = None
    version: str | None = None


@dataclass(slots=True)
class RequestView:
    id: str
    sent_s: float
    final: Final
    client: ClientLike | None
    attempts: Sequence[AttemptLike]
    throttles: int = 0


@dataclass(frozen=True)
class Report:
    probe: str
    target: str
    params: dict[str, Any]
    summary: Summary
    requests: Sequence[RequestView]  # a list, or views made as they are read (a large simulator run)
    dead_letters: list[DeadLetter]
    destinations: list[DestinationRecord]
    concurrency: Sequence[tuple[float, int]]
    notes: list[str]
    complete: bool = True
    missing: list[str] = field(default_factory=list)
    # The probe's answer, first in every rendering; `notes` keeps the assumptions and caveats.
    findings: list[Finding] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    # {id, kind, text, sources[]} of every rule the run relied on (additive to schema /1)
    rules: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, include_requests: bool = True) -> dict[str, Any]:
        """The report object of the CI contract, JSON-ready (`render.json_out` writes it request by
        request; without `include_requests` the object has no `requests` key)."""
        head: dict[str, Any] = {
            "schema": SCHEMA,
            "probe": self.probe,
            "target": self.target,
            "params": self.params,
            "summary": asdict(self.summary),
        }
        if include_requests:
            head["requests"] = [_request_json(r) for r in self.requests]
        return head | {
            "dead_letters": [
                {"t_s": _r(d.t), "queue": d.queue, "body": d.body, "attributes": d.attributes, "request": d.request_id}
                for d in self.dead_letters
            ],
            "destinations": [
                {"t_s": _r(d.t), "kind": d.kind, "target": d.target, "record": d.record, "request": d.request_id}
                for d in self.destinations
            ],
            "concurrency": [[_r(t), n] for t, n in self.concurrency],
            "findings": [f.to_json() for f in self.findings],
            "notes": list(self.notes),
            "complete": self.complete,
            "missing": list(self.missing),
            "leftovers": list(self.leftovers),
            "rules": [dict(r) for r in self.rules],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        """Read back a saved report (`--save`), refusing another schema."""
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report (schema: {data.get('schema')!r})")
        return cls(
            probe=data["probe"],
            target=data["target"],
            params=data["params"],
            summary=Summary(**data["summary"]),
            requests=[
                RequestView(
                    id=r["id"],
                    sent_s=r["sent_s"],
                    final=r["final"],
                    client=_client_view(r["client"]) if r["client"] else None,
                    attempts=[AttemptView(**a) for a in r["attempts"]],
                    throttles=r.get("throttles", 0),
                )
                for r in data.get("requests", [])  # absent from a summary-only report
            ],
            dead_letters=[
                DeadLetter(d["t_s"], d["queue"], d["body"], d["attributes"], d.get("request"))
                for d in data["dead_letters"]
            ],
            destinations=[
                DestinationRecord(d["t_s"], d["kind"], d["target"], d["record"], d.get("request"))
                for d in data["destinations"]
            ],
            concurrency=[(t, n) for t, n in data.get("concurrency", [])],
            notes=[*data["notes"], *([OMITTED_NOTE] if "omitted" in data else [])],
            complete=data.get("complete", True),
            missing=data.get("missing", []),
            findings=[Finding(f["text"], tuple(f.get("rules", ()))) for f in data.get("findings", [])],
            leftovers=data.get("leftovers", []),
            rules=data.get("rules", []),
        )


def _client_view(c: dict[str, Any]) -> ClientView:
    return ClientView(
        c["status"], c["error"], c["reason"], c["latency_s"], c.get("message"), c.get("type")
    )


def rounded(t: float) -> float:
    """A time as the report writes it: to the microsecond."""
    return round(t, 6)


_r = rounded


def _request_json(r: RequestView) -> dict[str, Any]:
    return {
        "id": r.id,
        "sent_s": _r(r.sent_s),
        "final": r.final,
        "client": None
        if r.client is None
        else {
            "status": r.client.status,
            "error": r.client.error,
            "reason": r.client.reason,
            "latency_s": _r(r.client.latency_s),
            "message": r.client.message,
            "type": r.client.error_type,
        },
        "attempts": [
            {
                "n": a.n,
                "start_s": _r(a.start_s),
                "end_s": _r(a.end_s),
                "outcome": a.outcome,
                "cold": a.cold,
                "init_s": _r(a.init_s),
                "error": a.error,
                "receive_count": a.receive_count,
                "billed_ms": a.billed_ms,
                "version": a.version,
            }
            for a in r.attempts
        ],
        "throttles": r.throttles,
    }
