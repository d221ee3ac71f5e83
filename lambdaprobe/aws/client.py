"""The one boto3 wrapper: sessions, control-plane retries (tenacity), the driver's client, errors.

Control-plane calls are retried on throttling and on AWS's eventual consistency (a new IAM role is
not assumable, or its policy not effective, for some seconds; a function is briefly Pending).
`sleep` is injectable so tests never wait. The driver's client is configured explicitly (retries,
timeouts, pool size) because what it does is part of what a sync probe measures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import boto3
import botocore.exceptions
import botocore.parsers
from botocore.config import Config
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

if TYPE_CHECKING:
    from botocore.config import _RetryDict  # the stubs' name for Config(retries=...)

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.errors import AwsError
from lambdaprobe.rules.constants import SDK_MAX_ATTEMPTS  # [sdk.retry-modes]
from lambdaprobe.scenario import SdkConfig

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "ProvisionedThroughputExceededException",
    }
)
# (code, fragment of the message) that mean "not yet", not "no"
EVENTUAL_CONSISTENCY = (
    ("InvalidParameterValueException", "cannot be assumed"),
    ("InvalidParameterValueException", "does not have permission"),
    ("InvalidParameterValueException", "execution role"),
    ("ResourceConflictException", "in progress"),
    ("ResourceConflictException", "Pending"),
    ("ResourceInUseException", "being"),
)
NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "NoSuchEntity",
        "NotFound",
        "NotFoundException",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
    }
)
CONTROL_ATTEMPTS = 10
# botocore's own retries stay modest: tenacity above it knows which errors are worth waiting for.
# A hung endpoint costs at most 2 attempts x the read timeout per call (it used to cost 4 x 60 s).
CONTROL_READ_TIMEOUT_S = 60.0
CONTROL_MIN_READ_TIMEOUT_S = 2.0
CONTROL_CONNECT_TIMEOUT_S = 10.0
SHORT_DEADLINE_S = 10.0  # below it, a call that timed out is not tried again: one wait fits the deadline
CONTROL_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 2},
    read_timeout=CONTROL_READ_TIMEOUT_S,
    connect_timeout=CONTROL_CONNECT_TIMEOUT_S,
)


def control_config(deadline_s: float | None) -> Config:
    """The control plane's client settings. With `--deadline`, a call's attempts together wait no
    longer than the deadline: one attempt below SHORT_DEADLINE_S, two above, each reading for its
    share (at least CONTROL_MIN_READ_TIMEOUT_S: a call that answers in a second must not time out)."""
    if deadline_s is None:
        return CONTROL_CONFIG
    attempts = 1 if deadline_s < SHORT_DEADLINE_S else 2
    read = max(CONTROL_MIN_READ_TIMEOUT_S, min(CONTROL_READ_TIMEOUT_S, deadline_s / attempts))
    connect = min(CONTROL_CONNECT_TIMEOUT_S, read)
    return Config(
        retries={"mode": "standard", "total_max_attempts": attempts}, read_timeout=read, connect_timeout=connect
    )


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def error_message(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
    return str(exc)


def is_not_found(exc: BaseException) -> bool:
    code = error_code(exc)
    if code in NOT_FOUND_CODES:
        return True
    if isinstance(exc, botocore.exceptions.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return status == 404 and code in ("404", "")
    return False


def is_transient(exc: BaseException) -> bool:
    """Throttling, or eventual consistency that a short wait resolves."""
    code = error_code(exc)
    if code in THROTTLING_CODES:
        return True
    message = error_message(exc)
    return any(code == c and fragment in message for c, fragment in EVENTUAL_CONSISTENCY)


def one_line(exc: BaseException, what: str = "") -> str:
    """An AWS/botocore failure as one line a user can act on (at most MAX_LINE characters)."""
    line = " ".join(_one_line(exc, what).split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


MAX_LINE = 300


def _one_line(exc: BaseException, what: str) -> str:
    prefix = f"{what}: " if what else ""
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return f"{prefix}no AWS credentials found (use --profile, or set AWS_ACCESS_KEY_ID and friends)"
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return f"{prefix}{exc}"
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return f"{prefix}no AWS region configured (use --region, or set AWS_REGION)"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionError):
        return f"{prefix}cannot reach the AWS endpoint ({exc})"
    if isinstance(exc, botocore.exceptions.ClientError):
        return f"{prefix}{error_code(exc)}: {error_message(exc)}"
    return f"{prefix}{type(exc).__name__}: {exc}"


def to_aws_error(exc: BaseException, what: str = "") -> AwsError:
    return AwsError(one_line(exc, what))


class ApiCaller(Protocol):
    """What reading and deleting needs of a client: one call at a time (fakes in tests)."""

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]: ...


class PollingCaller(ApiCaller, Protocol):
    """What applying a plan needs of a client: calls, and a way to wait between polls."""

    def sleep(self, seconds: float) -> None: ...


# everything boto3 raises for a failed call, including a reply it cannot parse (an endpoint's 500 page)
BOTO_ERRORS: tuple[type[BaseException], ...] = (
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
    botocore.parsers.ResponseParserError,
)


class AwsClient:
    """boto3 clients for one run, and `call` with retries for the control plane."""

    def __init__(
        self,
        options: AwsOptions,
        sleep: Callable[[float], None] = time.sleep,
        session: Any = None,
        attempts: int = CONTROL_ATTEMPTS,
        config: Config = CONTROL_CONFIG,
    ) -> None:
        self.options = options
        self.sleep = sleep
        self.attempts = attempts
        self.config = config
        self._session = session
        self._clients: dict[str, Any] = {}
        # told about each transient error before the wait that follows it (progress reporting)
        self.retry_listener: Callable[[str], None] | None = None

    @property
    def session(self) -> Any:
        if self._session is None:
            try:
                self._session = boto3.Session(
                    profile_name=self.options.profile, region_name=self.options.region
                )
            except BOTO_ERRORS as exc:
                raise to_aws_error(exc, "session") from exc
        return self._session

    def client(self, service: str, config: Config | None = None) -> Any:
        """A cached client for `service` (the endpoint override applies to every service)."""
        key = service if config is None else f"{service}:{id(config)}"
        if key not in self._clients:
            try:
                self._clients[key] = self.session.client(
                    service, endpoint_url=self.options.endpoint_url, config=config or self.config
                )
            except BOTO_ERRORS as exc:
                raise to_aws_error(exc, f"{service} client") from exc
        return self._clients[key]

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """`operation` (as AWS spells it, e.g. CreateFunction), retried while the error is transient.

        Raises the botocore exception itself when it is not transient or retries run out; callers
        turn it into AwsError with their context.
        """
        method = getattr(self.client(service), botocore.xform_name(operation))

        def before_sleep(state: RetryCallState) -> None:
            if self.retry_listener is None or state.outcome is None:
                return
            exc = state.outcome.exception()
            wait = state.next_action.sleep if state.next_action else 0
            self.retry_listener(
                f"{service}.{operation}: {one_line(exc) if exc else 'retrying'}; "
                f"retry {state.attempt_number} in {wait:.0f} s"
            )

        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=1, min=1, max=10),
            sleep=self.sleep,
            reraise=True,
            before_sleep=before_sleep,
        )
        result: dict[str, Any] = retrying(method, **params)
        return result


def driver_retries(sdk: SdkConfig) -> _RetryDict:
    """botocore's retry settings for the scenario's mode ("off": one attempt, legacy's handler idle)."""
    return {
        "mode": "legacy" if sdk.retry_mode == "off" else sdk.retry_mode,
        "total_max_attempts": SDK_MAX_ATTEMPTS[sdk.retry_mode],
    }


def driver_config(sdk: SdkConfig, pool_size: int) -> Config:
    """The client the driver invokes with: its retries and timeouts are part of the experiment."""
    return Config(
        retries=driver_retries(sdk),
        read_timeout=sdk.read_timeout_s,
        connect_timeout=sdk.connect_timeout_s,
        # one connection per in-flight call, so an open-loop schedule never waits for a socket
        max_pool_connections=max(10, pool_size),
        tcp_keepalive=True,
    )


def describe_driver(sdk: SdkConfig, pool_size: int) -> str:
    retries = (
        "off (1 attempt per call)"
        if sdk.retry_mode == "off"
        else (f"{sdk.retry_mode} ({SDK_MAX_ATTEMPTS[sdk.retry_mode]} attempts per call)")
    )
    return (
        f"driver: botocore retries {retries}, read timeout {sdk.read_timeout_s:g} s, "
        f"connect timeout {sdk.connect_timeout_s:g} s, {max(10, pool_size)} connections "
        f"(Config(retries={driver_retries(sdk)}, read_timeout={sdk.read_timeout_s:g}, "
        f"connect_timeout={sdk.connect_timeout_s:g}))"
    )
