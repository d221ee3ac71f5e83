"""Pagination that always ends: a marker seen before, or too many pages, stops it.

An endpoint that answers the same marker again (a bug, a proxy replaying a page) made listing loop
for ever. Every paginated read of lambdaprobe goes through `pages`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lambdaprobe.aws.client import BOTO_ERRORS, ApiCaller
from lambdaprobe.errors import AwsError

MAX_PAGES = 1000  # far beyond any account lambdaprobe lists (1000 pages of 50..1000 items)
# what a listing may raise: AWS's errors, and ours for a listing that would not end
LISTING_ERRORS: tuple[type[BaseException], ...] = (*BOTO_ERRORS, AwsError)


def pages(
    client: ApiCaller,
    service: str,
    operation: str,
    params: dict[str, Any],
    token_in: str,
    token_out: str,
    max_pages: int = MAX_PAGES,
) -> Iterator[dict[str, Any]]:
    """Each page of `operation`; raises AwsError on a repeated marker or past `max_pages`."""
    params = dict(params)
    seen: set[str] = set()
    for _ in range(max_pages):
        page = client.call(service, operation, params)
        yield page
        token = page.get(token_out)
        if not token:
            return
        key = repr(token)
        if key in seen:
            raise AwsError(f"{service}.{operation}: the endpoint repeated a pagination marker; listing stopped")
        seen.add(key)
        params[token_in] = token
    raise AwsError(f"{service}.{operation}: more than {max_pages} pages; listing stopped")


def items(
    client: ApiCaller,
    service: str,
    operation: str,
    params: dict[str, Any],
    key: str,
    token_in: str,
    token_out: str,
    max_pages: int = MAX_PAGES,
) -> list[Any]:
    """Every item under `key` of every page."""
    out: list[Any] = []
    for page in pages(client, service, operation, params, token_in, token_out, max_pages):
        out.extend(page.get(key) or [])
    return out
