"""A local stand-in for Lambda's Invoke API on 127.0.0.1: answers after a delay, or throttles.

Used by the driver tests and by benchmarks/bench_driver_lag.py. Paths look like
`/2015-03-31/functions/<name>/invocations`; a function name containing "throttle" gets the 429
body AWS sends when the reserved pool is full.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

THROTTLE_BODY = {
    "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    "Type": "User",
    "message": "Rate Exceeded.",
}


class FakeLambdaServer(ThreadingHTTPServer):
    daemon_threads = True
    # hundreds of callers connect at once in the open-loop benchmark: a short backlog would drop SYNs
    request_queue_size = 2048

    def __init__(self, port: int = 0, delay_s: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.delay_s = delay_s
        self.received: list[float] = []
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a caller that gave up (read timeout) leaves a broken pipe: that is the point

    def start(self) -> FakeLambdaServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeLambdaServer

    def setup(self) -> None:
        super().setup()
        # headers and body leave in separate writes: without this, Nagle and delayed ACKs add 40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_POST(self) -> None:
        with self.server._lock:
            self.server.received.append(time.monotonic())
        length = int(self.headers.get("Content-Length", "0"))
        payload = self.rfile.read(length)
        name = self.path.split("/functions/", 1)[-1].split("/", 1)[0]
        event = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if "throttle" in name:
            self._send(
                429, json.dumps(THROTTLE_BODY).encode(), {"x-amzn-ErrorType": "TooManyRequestsException"}
            )
            return
        limit = 1024 * 1024 if event == "Event" else 6 * 1024 * 1024
        if len(payload) > limit:  # the body Lambda sends for a payload over the invoke limit
            message = f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
            body = {"Type": "User", "message": message}
            self._send(413, json.dumps(body).encode(), {"x-amzn-ErrorType": "RequestEntityTooLargeException"})
            return
        if event == "Event":
            self._send(202, b"")
            return
        time.sleep(self.server.delay_s)
        headers = {"X-Amz-Executed-Version": "1", "x-amzn-RequestId": f"aws-{len(self.server.received)}"}
        if "fail" in name:
            headers["X-Amz-Function-Error"] = "Unhandled"
        self._send(200, payload, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
