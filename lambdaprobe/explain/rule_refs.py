"""The model's rules each journey rests on, by id (`lambdaprobe rules ID` explains one)."""

from __future__ import annotations

ASYNC_RULES: tuple[str, ...] = ("async.retry-spacing", "async.max-event-age", "async.dlq-and-destinations")
SQS_RULES: tuple[str, ...] = ("sqs.visibility-timeout", "sqs.redrive", "sqs.retention")
STREAM_RULES: tuple[str, ...] = ("stream.retry-until-expiry", "stream.bisect", "stream.on-failure")
BURST_RULES: tuple[str, ...] = ("concurrency.reserved", "concurrency.provisioned-spillover", "sync.no-retry")
