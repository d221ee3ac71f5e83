"""What the driver knows about each request that the logs cannot tell: how many of its sends reached
Lambda, and the invocation ids Lambda answered with.

A sync call with SDK retries is several API requests, each its own execution with its own
aws_request_id; the handler's log lines carry the call's correlation id (`request`), so the
collector can group them, but only the driver knows how many executions to wait for. An execution
that never logged a probe line (killed in a suppressed init) has only REPORT and timeout lines,
named by aws_request_id: the ids answered here tie those to their request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Ledger:
    ran: dict[str, int] = field(default_factory=dict)  # request -> sends that reached the function
    aws_ids: dict[str, str] = field(default_factory=dict)  # aws_request_id -> request
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def reached(self, request: str) -> None:
        with self._lock:
            self.ran[request] = self.ran.get(request, 0) + 1

    def answered(self, request: str, aws_request_id: str | None) -> None:
        if aws_request_id:
            with self._lock:
                self.aws_ids[aws_request_id] = request
