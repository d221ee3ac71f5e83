"""Where a run goes, settled before anything is created: endpoint, profile, region, credentials,
account, and whether the account's concurrency can take what the run reserves.

Every configuration mistake is an InputError (exit 2, one line), raised before the first mutating
call; a dry run checks the same things but needs no credentials (the account is then unknown).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
from botocore.config import Config

from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.errors import AwsError, InputError
from lambdaprobe.scenario import ConcurrencySpec, Scenario

# Lambda keeps this much of the account's concurrency unreserved; reserved and provisioned
# concurrency can take only the rest (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
MIN_UNRESERVED = ConcurrencySpec().min_unreserved
# The quota to raise: Service Quotas, AWS Lambda, "Concurrent executions".
CONCURRENCY_QUOTA = "Concurrent executions (Service Quotas code L-B99A9384)"
REGION_FORMAT = re.compile(r"^[a-z]{2,4}(-[a-z0-9]+)+-\d{1,2}$")
# Reads that only say where we are: one quick attempt each, so a wrong endpoint fails fast.
PROBE_CONFIG = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=5, read_timeout=10)


@dataclass(frozen=True)
class Where:
    """The resolved destination of a run, as the plan header and the confirmation show it."""

    region: str
    profile: str | None
    endpoint_url: str | None
    account: str | None  # None: not reachable (a dry run without credentials)
    credentials: bool

    def lines(self) -> list[str]:
        account = self.account or ("unknown (no credentials found)" if not self.credentials else "unknown")
        return [
            f"account:  {account}",
            f"region:   {self.region}",
            f"endpoint: {self.endpoint_url or 'AWS (default endpoints)'}",
            f"profile:  {self.profile or 'default credential chain'}",
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "account": self.account, "region": self.region, "endpoint": self.endpoint_url, "profile": self.profile,
        }


def check_endpoint(url: str | None) -> None:
    """An endpoint must be an absolute http(s) URL with a host (checked before anything runs)."""
    if url is None:
        return
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise InputError("--endpoint-url", f"{url!r} is not a URL; allowed: http(s)://HOST[:PORT], e.g. http://127.0.0.1:4566")


def check_region(region: str | None) -> None:
    if region is not None and not REGION_FORMAT.match(region):
        raise InputError("--region", f"{region!r} is not a region name; allowed: e.g. us-east-1, eu-west-1")


def resolve(options: AwsOptions, *, need_account: bool, session: Any = None) -> Where:
    """Resolve profile, region (--region, then AWS_REGION, then AWS_DEFAULT_REGION or the profile's),
    credentials and, when reachable, the account id. `need_account`: a real run (not a dry run)."""
    check_endpoint(options.endpoint_url)
    check_region(options.region)
    try:
        session = session or boto3.Session(profile_name=options.profile, region_name=options.region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise InputError("--profile", f"{options.profile!r}: no such profile in the AWS config files") from exc
    region = options.region or os.environ.get("AWS_REGION") or session.region_name
    if not region:
        raise InputError("--region", "no AWS region configured; pass --region or set AWS_REGION")
    check_region(region)
    try:
        credentials = session.get_credentials()
    except botocore.exceptions.BotoCoreError as exc:  # a broken profile (e.g. a bad credential_process)
        raise InputError("--profile", f"cannot read credentials: {' '.join(str(exc).split())}") from exc
    if credentials is None:
        if need_account:
            raise InputError(
                "credentials", "no AWS credentials found; use --profile or set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (an emulator takes any, e.g. test/test)",
            )
        return Where(region, options.profile, options.endpoint_url, None, False)
    account = None
    try:
        sts = session.client("sts", region_name=region, endpoint_url=options.endpoint_url, config=PROBE_CONFIG)
        account = str(sts.get_caller_identity()["Account"])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        if need_account:
            from lambdaprobe.aws.client import one_line

            raise AwsError(one_line(exc, "sts.GetCallerIdentity (checking where the run would go)")) from exc
    return Where(region, options.profile, options.endpoint_url, account, True)


def needed_concurrency(scenario: Scenario) -> int:
    """What the run takes out of the account's unreserved pool: reserved, else provisioned."""
    conc = scenario.concurrency
    return conc.reserved if conc.reserved is not None else conc.provisioned


def check_concurrency(lambda_client: Any, scenario: Scenario) -> str | None:
    """Refuse (exit 2) a reserved or provisioned concurrency the account's unreserved pool cannot give.

    Returns a line to show when the settings cannot be read (an emulator without the API, or no
    lambda:GetAccountSettings permission): the run goes on, and Lambda itself refuses if it must.
    """
    needed = needed_concurrency(scenario)
    if needed <= 0:
        return None
    try:
        settings = lambda_client.get_account_settings()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        from lambdaprobe.aws.client import one_line

        return f"concurrency check skipped: {one_line(exc, 'lambda.GetAccountSettings')}"
    limit = int(settings["AccountLimit"]["ConcurrentExecutions"])
    unreserved = int(settings["AccountLimit"]["UnreservedConcurrentExecutions"])
    available = unreserved - MIN_UNRESERVED
    if needed > available:
        option = "--reserved" if scenario.concurrency.reserved is not None else "--provisioned"
        raise InputError(
            option,
            f"{needed} would leave the account's unreserved concurrency below its minimum of {MIN_UNRESERVED} "
            f"(account limit {limit}, unreserved now {unreserved}); allowed here: 0..{max(0, available)}, or raise "
            f"the quota {CONCURRENCY_QUOTA}",
        )
    return None
