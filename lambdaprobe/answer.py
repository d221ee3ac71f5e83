"""Helpers for the probes' answers: wording shared by every probe's `findings`, and the rule that an
answer on --target aws rests only on what was observed."""

from __future__ import annotations

from lambdaprobe.report import Finding, Report, RequestView

__all__ = ["Finding", "missing", "plural", "seconds", "unobserved"]


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 call`, `2 calls`, `1,000 calls` (never `call(s)`)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def seconds(t: float) -> str:
    """One precision for seconds, as the timeline prints them: one decimal."""
    return f"{t:.1f}s"


def unobserved(report: Report) -> list[RequestView]:
    """Requests that were not throttled and yet have no execution seen (in the logs, on aws)."""
    return [r for r in report.requests if not r.attempts and not r.throttles and r.final != "throttled"]


def missing(report: Report, what: str) -> Finding | None:
    """On --target aws, say plainly what was not observed instead of answering from it."""
    if report.target != "aws":
        return None
    silent = unobserved(report)
    if report.requests and not silent:
        return None
    if not report.requests:
        return Finding(f"missing: no request was observed, so nothing can be said about {what}")
    return Finding(
        f"missing: {plural(len(silent), 'request')} of {len(report.requests):,} left no observation "
        f"(no execution in the logs, no throttle); what follows about {what} rests only on the rest"
    )
