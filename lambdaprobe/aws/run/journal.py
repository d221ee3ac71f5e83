"""The run journal: a small file per run, written before each create, removed after a clean teardown.

Tags cannot account for everything: an S3 bucket takes its tags only after CreateBucket, and a
process killed between a create and its answer never learns what it made. The journal records the
intent (call and identity) before every create and the teardown once it is known, so a killed run
leaves a list of what it may have made. `cleanup` reads the journals it finds: a journal whose lease
has run out is an abandoned run; a journal with a live lease marks its run as live (skipped).

Where: `$LAMBDAPROBE_STATE_DIR`, else `$XDG_STATE_HOME/lambdaprobe`, else `~/.local/state/lambdaprobe`;
one file per run under `runs/`, mode 0600. Every write replaces the file atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambdaprobe.aws.options import LEASE_S  # a run that has not renewed its lease for this long is abandoned
from lambdaprobe.errors import AwsError
from lambdaprobe.files import write_private

SCHEMA = "lambdaprobe.journal/1"
HEARTBEAT_S = 60.0
MAX_JOURNAL_BYTES = 1_000_000


def state_dir() -> Path:
    explicit = os.environ.get("LAMBDAPROBE_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "lambdaprobe"


def runs_dir() -> Path:
    return state_dir() / "runs"


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass
class Entry:
    """One create: its intent, and its teardown once known (None: look it up by `identity`)."""

    call: str  # "sqs.CreateQueue"
    identity: dict[str, Any]
    teardown: list[Any] | None = None  # [service, operation, params]
    state: str = "intended"  # intended -> created | unknown (no answer) ; dropped when refused

    def to_json(self) -> dict[str, Any]:
        return {"call": self.call, "identity": _json_ready(self.identity), "teardown": _json_ready(self.teardown),
                "state": self.state}


class RunJournal:
    """The journal of one run (a no-op when `path` is None: library use without a state directory)."""

    def __init__(self, run_id: str, path: Path | None, meta: dict[str, Any], clock: Callable[[], float] = time.time):
        self.run_id = run_id
        self.path = path
        self.meta = meta
        self.clock = clock
        self.entries: list[Entry] = []
        self.lease_until = clock() + LEASE_S
        self._lock = threading.Lock()
        self._finished = False  # after `finish`, a late heartbeat must not write the file again

    @classmethod
    def open(cls, run_id: str, meta: dict[str, Any]) -> RunJournal:
        """Create the run's journal before anything else; AwsError if it cannot be written."""
        journal = cls(run_id, runs_dir() / f"{run_id}.json", meta)
        try:
            journal.save()
        except AwsError as exc:
            raise AwsError(
                f"{exc}; nothing was created. Set LAMBDAPROBE_STATE_DIR or XDG_STATE_HOME to a writable directory"
            ) from exc
        return journal

    def save(self) -> None:
        """Write the journal; AwsError (one line) if the file cannot be written."""
        if self.path is None:
            return
        try:
            self._write()
        except OSError as exc:
            raise AwsError(f"cannot write the run journal {self.path}: {exc.strerror or exc}") from exc

    def _write(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._lock:
            if self._finished:
                return
            data = {
                "schema": SCHEMA,
                "run_id": self.run_id,
                **self.meta,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "lease_until": self.lease_until,
                "entries": [e.to_json() for e in self.entries],
            }
            write_private(self.path, json.dumps(data, indent=1, sort_keys=True))

    def intend(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.save()

    def update(self) -> None:
        self.save()

    def renew(self) -> None:
        self.lease_until = self.clock() + LEASE_S
        self.save()

    def finish(self, leftovers: list[Entry]) -> None:
        """After teardown: remove the journal, or keep only what is left, marked abandoned."""
        if self.path is None:
            return
        if not leftovers:
            with self._lock:
                self._finished = True
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
            return
        self.entries = leftovers
        self.lease_until = 0.0  # abandoned now: cleanup need not wait for the lease
        self.save()
        with self._lock:
            self._finished = True


class Heartbeat:
    """Renews the run's lease (and its live tag in AWS) every HEARTBEAT_S while the run lasts."""

    def __init__(self, beat: Callable[[], None], interval_s: float = HEARTBEAT_S) -> None:
        self.beat = beat
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lambdaprobe-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            with contextlib.suppress(Exception):  # a missed beat only shortens the lease
                self.beat()

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()


@dataclass(frozen=True)
class JournalFile:
    """A journal read back by `cleanup`."""

    path: Path
    run_id: str
    lease_until: float
    endpoint_url: str | None
    region: str | None
    entries: list[dict[str, Any]]
    pid: int | None = None
    host: str | None = None

    def dead(self) -> bool:
        """Its process is known to be gone: it ran on this machine, and no process has its pid."""
        if self.pid is None or self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False  # exists (another user's): alive as far as we can tell
        return False

    def live(self, now: float) -> bool:
        return self.lease_until > now and not self.dead()


def read_journals() -> tuple[list[JournalFile], list[str]]:
    """Every readable journal, and one line for each that could not be read (skipped)."""
    found: list[JournalFile] = []
    problems: list[str] = []
    directory = runs_dir()
    if not directory.is_dir():
        return found, problems
    for path in sorted(directory.glob("*.json")):
        try:
            if path.stat().st_size > MAX_JOURNAL_BYTES:
                raise ValueError("too large")
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("schema") != SCHEMA:
                raise ValueError("not a lambdaprobe run journal")
            entries = data.get("entries")
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise ValueError("entries is not a list of objects")
            found.append(
                JournalFile(
                    path,
                    str(data["run_id"]),
                    float(data.get("lease_until") or 0.0),
                    data.get("endpoint_url"),
                    data.get("region"),
                    entries,
                    data["pid"] if isinstance(data.get("pid"), int) else None,
                    str(data["host"]) if data.get("host") else None,
                )
            )
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            problems.append(f"run journal {path.name}: unreadable ({type(exc).__name__}: {exc}); skipped")
    return found, problems
