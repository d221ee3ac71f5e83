"""The per-request Gantt timeline: one row per request, every attempt a bar on a shared time axis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.text import Text

from lambdaprobe.observation import DeadLetter, DestinationRecord
from lambdaprobe.render.frame import FINAL_W, Frame, frame_for
from lambdaprobe.report import AttemptLike, Report, RequestView

DETAIL_AUTO_MAX = 3

FINAL_STYLE = {
    "succeeded": "green",
    "failed": "red",
    "throttled": "yellow",
    "dead_lettered": "magenta",
    "expired": "magenta",
    "pending": "dim",
}
OUTCOME_STYLE = {"success": "green", "error": "red", "timeout": "yellow"}
# Distinct glyphs as well as colours: a pasted, colourless timeline must still tell them apart.
OUTCOME_CHAR = {"success": "█", "error": "▓", "timeout": "▒"}
INIT = ("░", "cyan")
WAIT = ("·", "dim")
THROTTLE = ("✕", "bold yellow")
END_MARK = {"dead_lettered": ("D", "bold magenta"), "expired": ("E", "bold magenta")}

Cell = tuple[str, str]


LEGEND: tuple[tuple[str, str, str], ...] = (
    (INIT[0], INIT[1], "init (cold)"),
    (OUTCOME_CHAR["success"], OUTCOME_STYLE["success"], "success"),
    (OUTCOME_CHAR["error"], OUTCOME_STYLE["error"], "error"),
    (OUTCOME_CHAR["timeout"], OUTCOME_STYLE["timeout"], "timeout"),
    (WAIT[0], WAIT[1], "waiting"),
    (THROTTLE[0], THROTTLE[1], "429 throttled"),
    (END_MARK["dead_lettered"][0], END_MARK["dead_lettered"][1], "dead-lettered"),
    (END_MARK["expired"][0], END_MARK["expired"][1], "expired"),
)


@dataclass(frozen=True)
class Legend:
    """The glyphs' meanings, wrapped between items only (never inside "429 throttled")."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = Text()
        for glyph, style, label in LEGEND:
            width = len(glyph) + 1 + len(label)
            if line.plain and len(line.plain) + 2 + width > options.max_width:
                yield line
                line = Text()
            if line.plain:
                line.append("  ")
            line.append(glyph, style=style)
            line.append(f" {label}", style="dim")
        yield line


def legend() -> Legend:
    return Legend()


def lanes(attempts: Sequence[AttemptLike]) -> list[list[AttemptLike]]:
    """Attempts in lanes that do not overlap: an SDK that resends after its read timeout runs a new
    execution while the first still runs, and each needs a line of its own to be seen."""
    out: list[list[AttemptLike]] = []
    for a in sorted(attempts, key=lambda x: x.start_s):
        for lane in out:
            if lane[-1].end_s <= a.start_s + 1e-9:
                lane.append(a)
                break
        else:
            out.append([a])
    return out


def bar_cells(req: RequestView, frame: Frame, end_t: float | None) -> list[Cell]:
    """The row's cells: waiting dots, then attempts on top, then the throttle or end marker."""
    cells: list[Cell] = [(" ", "")] * frame.width
    if req.attempts:
        last_end = max(a.end_s for a in req.attempts)
        for c in range(frame.col(req.sent_s), frame.col(last_end)):
            cells[c] = WAIT
    last_cell = -1
    for a in req.attempts:
        first = frame.col(a.start_s)
        # At least one cell, so a 0.1 s attempt on a 6-hour axis is still seen.
        stop = min(frame.width, max(frame.col(a.end_s), first + 1))
        init = 0
        if a.cold and stop - first >= 2:
            # The init gets a cell even when shorter than one: the cold start is the point.
            init = min(stop - first - 1, max(1, round(a.init_s * (frame.width - 1) / frame.span_s)))
        run = (OUTCOME_CHAR[a.outcome], OUTCOME_STYLE[a.outcome])
        for c in range(first, stop):
            cells[c] = INIT if c < first + init else run
        last_cell = max(last_cell, stop - 1)
    if not req.attempts and req.client is not None and req.client.status == 429:
        cells[frame.col(req.sent_s)] = THROTTLE
    mark = END_MARK.get(req.final)
    if mark is not None:
        t = end_t if end_t is not None else req.sent_s
        cells[min(frame.width - 1, max(frame.col(t), last_cell + 1))] = mark
    return cells


def _text(cells: list[Cell]) -> Text:
    text = Text()
    run_style, run = cells[0][1] if cells else "", ""
    for ch, style in cells:
        if style != run_style:
            text.append(run, style=run_style or None)
            run, run_style = "", style
        run += ch
    text.append(run, style=run_style or None)
    return text


def row_label(req: RequestView, frame: Frame) -> Text:
    rid = req.id if len(req.id) <= frame.id_w else req.id[: frame.id_w - 1] + "…"
    text = Text(f"{rid:<{frame.id_w}} ")
    text.append(f"{req.final:<{FINAL_W}}", style=FINAL_STYLE.get(req.final, ""))
    cold = "cold" if any(a.cold for a in req.attempts) else ""
    text.append(f" {len(req.attempts):>{frame.att_w}} ")
    text.append(f"{cold:<{frame.cold_w}} ", style="cyan")
    return text


def _secs(t: float) -> str:
    return f"{t:.1f}s"


def _end_time(req: RequestView, dead: list[DeadLetter]) -> float | None:
    if dead:
        return dead[0].t
    if req.attempts:
        return max(a.end_s for a in req.attempts)
    return None


DETAIL_ATTEMPTS_MAX = 12
DETAIL_ATTEMPTS_TAIL = 2


def detail_lines(
    req: RequestView,
    dead: list[DeadLetter],
    dests: list[DestinationRecord],
) -> list[Text]:
    """The request as text, one line per attempt, with the waits between them."""
    lines: list[Text] = []
    head = Text(f"sent {_secs(req.sent_s)}", style="dim")
    if req.client is not None:
        c = req.client
        # status 0: the caller got no HTTP answer at all (it stopped reading)
        status = Text(f" → {c.status or 'no response:'}", style="yellow" if c.status in (0, 429) else "")
        if c.error:
            status.append(f" {c.error}")
        if c.reason:
            status.append(f" ({c.reason})")
        if c.latency_s > 0:
            status.append(f" after {_secs(c.latency_s)}", style="dim")
        head.append_text(status)
    if req.throttles and not (req.client is not None and req.client.status == 429):
        head.append(f"  throttled {req.throttles}× before running (requeued)", style="yellow")
    lines.append(head)
    rng_w = max((len(_range(a)) for a in req.attempts), default=0)
    n_w = len(str(max((a.n for a in req.attempts), default=1)))
    prev: AttemptLike | None = None
    attempts = req.attempts
    if len(attempts) > DETAIL_ATTEMPTS_MAX:
        # a stream retried until its record expires makes thousands: the first and last tell the story
        head_n = DETAIL_ATTEMPTS_MAX - DETAIL_ATTEMPTS_TAIL
        attempts = [*attempts[:head_n], *attempts[-DETAIL_ATTEMPTS_TAIL:]]
    for i, a in enumerate(attempts):
        if len(attempts) < len(req.attempts) and i == DETAIL_ATTEMPTS_MAX - DETAIL_ATTEMPTS_TAIL:
            skipped = len(req.attempts) - len(attempts)
            lines.append(Text(f"   … {skipped:,} more attempts (--output json lists them all)", style="dim"))
            prev = req.attempts[-DETAIL_ATTEMPTS_TAIL - 1]  # the gap shown next is the real one
        wait = a.start_s - (prev.end_s if prev is not None else req.sent_s)
        if prev is not None and wait < 0:
            lines.append(Text(f"   overlaps #{prev.n} by {_secs(-wait)}", style="dim"))
        elif prev is not None or wait >= 0.05:
            lines.append(Text(f"   +{_secs(wait)}", style="dim"))
        lines.append(attempt_line(a, rng_w, n_w))
        prev = a
    for d in dead:
        lines.append(Text(f"dead-lettered → {d.queue} at {_secs(d.t)}", style="magenta"))
    for rec in dests:
        ctx = rec.record.get("requestContext", {}) if isinstance(rec.record, dict) else {}
        lines.append(
            Text(
                f"{rec.kind} → {rec.target} at {_secs(rec.t)} ({ctx.get('condition', '?')},"
                f" approximateInvokeCount {ctx.get('approximateInvokeCount', '?')})",
                style="magenta",
            )
        )
    if not dead and req.final in END_MARK:
        lines.append(Text(req.final.replace("_", "-"), style="magenta"))
    return lines


def _range(a: AttemptLike) -> str:
    return f"{a.start_s:.1f}–{_secs(a.end_s)}"


def attempt_line(a: AttemptLike, rng_w: int, n_w: int = 1) -> Text:
    """One attempt; `n_w` pads the number so #9 and #10 line up."""
    text = Text(f"#{a.n:<{n_w}} {_range(a):>{rng_w}} ")
    text.append(f"{a.outcome:<7}", style=OUTCOME_STYLE[a.outcome])
    if a.cold:
        text.append(f" (cold, init {_secs(a.init_s)})", style="cyan")
    if a.receive_count is not None:
        text.append(f" receive {a.receive_count}", style="dim")
    if a.error:
        text.append(f" {a.error}")
    if a.billed_ms is not None:
        text.append(f" [billed {a.billed_ms:,} ms]", style="dim")
    return text


@dataclass(frozen=True)
class Timeline:
    """A rich renderable; the layout is computed at render time from the console's width."""

    report: Report
    max_rows: int = 40
    detail: bool | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        report = self.report
        frame = frame_for(report, options.max_width, self.max_rows)
        shown = report.requests[: self.max_rows]
        detail = self.detail if self.detail is not None else len(report.requests) <= DETAIL_AUTO_MAX
        dead_by: dict[str, list[DeadLetter]] = defaultdict(list)
        for d in report.dead_letters:
            if d.request_id is not None:
                dead_by[d.request_id].append(d)
        dests_by: dict[str, list[DestinationRecord]] = defaultdict(list)
        for rec in report.destinations:
            if rec.request_id is not None:
                dests_by[rec.request_id].append(rec)

        title = f"{'id':<{frame.id_w}} {'final':<{FINAL_W}} {'att':>{frame.att_w}} {'':<{frame.cold_w}} "
        yield Text.assemble((title, "bold"), frame.axis_labels())
        yield Text(" " * frame.gutter).append_text(frame.axis_rule("┬"))
        indent = " " * (frame.id_w + 1)
        for req in shown:
            dead = dead_by.get(req.id, [])
            parallel = lanes(req.attempts) if len(req.attempts) > 1 else [list(req.attempts)]
            main = replace(req, attempts=parallel[0]) if len(parallel) > 1 else req
            cells = bar_cells(main, frame, _end_time(req, dead))
            yield row_label(req, frame).append_text(_text(cells))
            for lane in parallel[1:]:
                # an execution that overlaps another of the same request: its own line, under it
                label = Text(
                    f"{'':<{frame.id_w}} {'└ overlapping':<{FINAL_W}} {len(lane):>{frame.att_w}} ", style="dim"
                )
                label.append(f"{'':<{frame.cold_w}} ")
                lane_view = replace(req, attempts=lane, final="pending", client=None, sent_s=lane[0].start_s)
                yield label.append_text(_text(bar_cells(lane_view, frame, None)))
            if detail:
                for line in detail_lines(req, dead, dests_by.get(req.id, [])):
                    if self.detail is None:  # the automatic detail stays one line each
                        line = Text(indent).append_text(line)
                        line.no_wrap, line.overflow = True, "ellipsis"
                        yield line
                    else:  # --verbose shows it all, continuation lines under the text they continue
                        yield Padding(line, (0, 0, 0, len(indent)))
        if not report.requests:
            yield Text("no requests were sent", style="dim")
        hidden = len(report.requests) - len(shown)
        if hidden > 0:
            noun = "request" if hidden == 1 else "requests"
            yield Text(f"… {hidden:,} more {noun} (--output json lists them all)", style="dim")
        yield legend()


def timeline(report: Report, *, max_rows: int = 40, detail: bool | None = None) -> Timeline:
    """The Gantt timeline of `report`; `detail` None means per-attempt text for ≤ 3 requests."""
    return Timeline(report, max_rows, detail)
