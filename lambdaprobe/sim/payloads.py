"""The function's error answers as Lambda's Python runtime shapes them: what a destination record's
responsePayload holds after a timeout or an unhandled exception."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lambdaprobe.rules.constants import TIMEOUT_ERROR_TYPE

# Where the deployed handler raises its directed error (the simulator runs the same handler's decide).
_RAISE = "raise ProbeError(message)"


def timeout_payload(aws_request_id: str, log_message: str, error_type: str = TIMEOUT_ERROR_TYPE) -> dict[str, Any]:
    """[runtime.timeout-error] `log_message` is the log line's 'Task timed out after 1.00 seconds'
    (or, for a runtime that exited, 'Runtime exited with error: exit status 1')."""
    return {"errorMessage": f"RequestId: {aws_request_id} Error: {log_message}", "errorType": error_type}


def error_payload(aws_request_id: str, error_type: str, message: str) -> dict[str, Any]:
    """[runtime.error-payload] an unhandled exception: message, type, request id and its stack."""
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": aws_request_id,
        "stackTrace": list(handler_stack()),
    }


@cache
def handler_stack() -> tuple[str, ...]:
    """The stack of the handler's `raise`, one frame as the Python runtime formats it."""
    source = Path(__file__).resolve().parent.parent / "function" / "handler.py"
    lines = source.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.strip() == _RAISE)
    return (f'  File "/var/task/handler.py", line {number}, in handler\n    {_RAISE}\n',)
