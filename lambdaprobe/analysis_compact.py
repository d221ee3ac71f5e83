"""Analysis of observations kept in columns (a simulator run): the summary in streaming passes over
the columns, and the per-request views made only for the rows someone reads.

It gives exactly the report `analysis` gives for the same observations (tested); it applies when the
target settled every request once, which the simulator does for direct invokes, and `analysis`
falls back to its general path otherwise.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any, TypeVar, overload

from lambdaprobe.columns import Columns
from lambdaprobe.observation import Attempt, ClientResult, Observations, Sent, Settled, Throttle
from lambdaprobe.report import RequestView


class Compact:
    """The columns of one run's per-request records."""

    def __init__(self, obs: Observations) -> None:
        self.sent: Columns[Sent] = obs.sent  # type: ignore[assignment]
        self.attempts: Columns[Attempt] = obs.attempts  # type: ignore[assignment]
        self.clients: Columns[ClientResult] = obs.client_results  # type: ignore[assignment]
        self.throttles: Columns[Throttle] = obs.throttles  # type: ignore[assignment]
        self.settled: Columns[Settled] = obs.settled  # type: ignore[assignment]

    @staticmethod
    def of(obs: Observations) -> Compact | None:
        """The columns, when every request is settled exactly once (else None: the general path)."""
        kinds = (obs.sent, obs.attempts, obs.client_results, obs.throttles, obs.settled)
        if not all(isinstance(k, Columns) for k in kinds) or len(obs.settled) != len(obs.sent):
            return None
        compact = Compact(obs)
        ids = set(compact.sent.column("request_id"))
        if len(ids) != len(obs.sent):
            return None
        for records in (compact.attempts, compact.clients, compact.throttles):
            if not ids.issuperset(records.column("request_id")):
                return None  # records of requests never sent: the general path drops them
        # As many settled records as requests, and together they name every request: once each.
        ids.difference_update(compact.settled.column("request_id"))
        return compact if not ids else None

    def executions_unique(self) -> bool:
        """Whether every attempt is an execution of its own (no batches)."""
        numbered = self.attempts.numbers("execution_id")
        if numbered is not None and all(len(chunk) == 0 or min(chunk) >= 0 for chunk in numbered):
            top = max((max(chunk) for chunk in numbered if len(chunk)), default=0)
            seen = bytearray(top + 1)
            for chunk in numbered:
                for k in chunk:
                    if seen[k]:
                        return False
                    seen[k] = 1
            return True
        ids = list(self.attempts.column("execution_id"))
        return len(set(ids)) == len(ids)

    def finals(self) -> Counter[str]:
        return Counter(self.settled.column("final"))


class Requests(Sequence[RequestView]):
    """The report's requests, in the order sent, each view made when it is read."""

    def __init__(self, compact: Compact) -> None:
        self._c = compact
        self._n = len(compact.sent)
        self._cache: tuple[range, list[RequestView]] | None = None

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> RequestView: ...
    @overload
    def __getitem__(self, index: slice) -> list[RequestView]: ...
    def __getitem__(self, index: int | slice) -> RequestView | list[RequestView]:
        if isinstance(index, slice):
            return self._views(range(*index.indices(self._n)))
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(index)
        return self._views(range(index, index + 1))[0]

    def _views(self, wanted: range) -> list[RequestView]:
        """Views of a few requests: one pass over each column to find their records."""
        if self._cache is not None and self._cache[0] == wanted:
            return self._cache[1]
        c = self._c
        sent = [c.sent[i] for i in wanted]
        slot = {s.request_id: k for k, s in enumerate(sent)}
        found: list[dict[str, list[int]]] = []
        for records in (c.attempts, c.clients, c.throttles, c.settled):
            positions: dict[str, list[int]] = {}
            for j, rid in enumerate(records.column("request_id")):
                if rid in slot:
                    positions.setdefault(rid, []).append(j)
            found.append(positions)
        attempts, clients, throttles, settled = found
        views = [
            self._view(s, [c.attempts[j] for j in attempts.get(s.request_id, ())],
                       [c.clients[j] for j in clients.get(s.request_id, ())],
                       sum(c.throttles[j].count for j in throttles.get(s.request_id, ())),
                       c.settled[settled[s.request_id][-1]])
            for s in sent
        ]
        self._cache = (wanted, views)
        return views

    @staticmethod
    def _view(sent: Sent, attempts: list[Attempt], clients: list[ClientResult], throttles: int,
              settled: Settled) -> RequestView:
        if len(attempts) > 1 and any(a.start > b.start for a, b in pairwise(attempts)):
            attempts.sort(key=lambda a: (a.start, a.n))
        return RequestView(sent.request_id, sent.t, settled.final, clients[-1] if clients else None, attempts,
                           throttles)

    def __iter__(self) -> Iterator[RequestView]:
        """Every view in order. One pass indexes the run (how many attempts and answers each request
        has); then the records are read in the order they were made, each request's view given as
        soon as its last record has been read. Records read ahead of their request wait in a buffer,
        which stays small because a run makes them roughly in request order."""
        c = self._c
        index = {rid: i for i, rid in enumerate(c.sent.column("request_id"))}
        n = self._n
        n_attempts = array("q", [0]) * n
        for rid in c.attempts.column("request_id"):
            n_attempts[index[rid]] += 1
        n_clients = array("q", [0]) * n
        for rid in c.clients.column("request_id"):
            n_clients[index[rid]] += 1
        throttled = array("q", [0]) * n
        for rid, count in zip(c.throttles.column("request_id"), c.throttles.column("count"), strict=True):
            throttled[index[rid]] += count
        final: list[Any] = [None] * n
        for rid, f in zip(c.settled.column("request_id"), c.settled.column("final"), strict=True):
            final[index[rid]] = f
        attempts_read, clients_read = iter(c.attempts), iter(c.clients)
        waiting_attempts: dict[int, list[Attempt]] = {}
        waiting_clients: dict[int, list[ClientResult]] = {}
        for i, s in enumerate(c.sent):
            want = n_attempts[i]
            runs: list[Attempt] = []
            if want:
                runs = _take(i, want, attempts_read, waiting_attempts, index)
                if want > 1 and any(a.start > b.start for a, b in pairwise(runs)):
                    runs.sort(key=lambda a: (a.start, a.n))
            answer: ClientResult | None = None
            if n_clients[i]:
                # the last answer is the one the caller acted on
                answer = _take(i, n_clients[i], clients_read, waiting_clients, index)[-1]
            yield RequestView(s.request_id, s.t, final[i], answer, runs, throttled[i])

    def attempt_count(self) -> int:
        """Every request's attempts, counted (each attempt belongs to one sent request: see Compact.of)."""
        return len(self._c.attempts)

    def first_attempts(self) -> tuple[int, int, float]:
        """How many requests ran, how many of those started cold on their first attempt, and when the
        last first attempt started: a probe's answer, read off the columns instead of a million views."""
        c = self._c
        rids = list(c.attempts.column("request_id"))
        if len(set(rids)) == len(rids):  # one attempt each
            return len(rids), sum(c.attempts.column("cold")), max(c.attempts.column("start"), default=0.0)
        first: dict[str, tuple[float, int, bool]] = {}
        for rid, start, n, cold in zip(rids, c.attempts.column("start"), c.attempts.column("n"),
                                       c.attempts.column("cold"), strict=True):
            seen = first.get(rid)
            if seen is None or (start, n) < seen[:2]:
                first[rid] = (start, n, cold)
        return len(first), sum(cold for _, _, cold in first.values()), max((t for t, _, _ in first.values()),
                                                                            default=0.0)

    def throttled(self) -> tuple[int, str | None]:
        """How many requests ended throttled, and the reason the first of them (in sending order) got."""
        c = self._c
        ids = {rid for rid, f in zip(c.settled.column("request_id"), c.settled.column("final"), strict=True)
               if f == "throttled"}
        if not ids:
            return 0, None
        first = next(rid for rid in c.sent.column("request_id") if rid in ids)
        reasons = [reason for rid, reason in zip(c.clients.column("request_id"), c.clients.column("reason"),
                                                 strict=True) if rid == first]
        return len(ids), reasons[-1] if reasons else None

    def attempt_fields(self, *names: str) -> Iterator[tuple[Any, ...]]:
        """Fields of every attempt, in the order seen."""
        return zip(*[self._c.attempts.column(name) for name in names], strict=True)

    def time_extent(self) -> float:
        """The last moment a request was sent, an attempt ended or a caller was answered."""
        c = self._c
        return max(max(c.sent.column("t"), default=0.0), max(c.attempts.column("end"), default=0.0),
                   max(c.clients.column("t"), default=0.0))


class Series(Sequence[tuple[float, int]]):
    """The concurrency series as two arrays (a large run has millions of changes); reads as
    (time, level) pairs, and equals a list of the same pairs."""

    def __init__(self, times: array[float], levels: array[int]) -> None:
        self.times, self.levels = times, levels

    def __len__(self) -> int:
        return len(self.times)

    @overload
    def __getitem__(self, index: int) -> tuple[float, int]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[float, int]]: ...
    def __getitem__(self, index: int | slice) -> tuple[float, int] | list[tuple[float, int]]:
        if isinstance(index, slice):
            return list(zip(self.times[index], self.levels[index], strict=True))
        return self.times[index], self.levels[index]

    def __iter__(self) -> Iterator[tuple[float, int]]:
        return zip(self.times, self.levels, strict=True)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


_Record = TypeVar("_Record", Attempt, ClientResult)


def _take(
    i: int, want: int, read: Iterator[_Record], waiting: dict[int, list[_Record]], index: dict[str, int]
) -> list[_Record]:
    """Request i's `want` records, read in order; records of later requests met on the way wait for them."""
    got = waiting.pop(i, None) or []
    while len(got) < want:
        record = next(read)
        k = index[record.request_id]
        if k == i:
            got.append(record)
        else:
            waiting.setdefault(k, []).append(record)
    return got
