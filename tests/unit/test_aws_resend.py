"""Which failed stimulus sends are resent: throttles and server errors, never a refusal."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import botocore.parsers
import pytest

from lambdaprobe.aws.run.drive import resendable
from lambdaprobe.aws.sources.eventbridge import EntryRefused


def client_error(code: str, status: int) -> botocore.exceptions.ClientError:
    response: Any = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return botocore.exceptions.ClientError(response, "SendMessage")


@pytest.mark.parametrize(
    ("exc", "resend"),
    [
        (client_error("ThrottlingException", 400), True),
        (client_error("RequestThrottled", 403), True),
        (client_error("ProvisionedThroughputExceededException", 400), True),
        (client_error("InternalError", 500), True),
        (client_error("ServiceUnavailable", 503), True),
        (client_error("TooManyRequests", 429), True),
        (client_error("AccessDenied", 403), False),
        (client_error("InvalidParameterValue", 400), False),
        (botocore.parsers.ResponseParserError("<html>502 Bad Gateway</html>"), True),
        (EntryRefused("ThrottlingException", "slow down"), True),
        (EntryRefused("InternalFailure", "oops"), True),
        (EntryRefused("AccessDeniedException", "no"), False),
        (botocore.exceptions.ReadTimeoutError(endpoint_url="http://127.0.0.1"), False),  # may have arrived
    ],
)
def test_only_throttles_and_server_errors_are_resent(exc: BaseException, resend: bool) -> None:
    assert resendable(exc) is resend
