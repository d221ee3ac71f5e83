"""Rules the simulator needs where AWS documents nothing. Each is what `--target aws` should measure.

A run lists in its report's notes the assumptions it relied on (SEMANTICS.md: "it is then an
assumption, named as such in code, in --help and in the report's notes").
"""

from __future__ import annotations

ASSUMPTIONS: dict[str, str] = {
    "poll_delay": "assumption: the async poller picks an event from the internal queue at once (0 s queue delay)",
    "throttle_backoff": (
        "assumption: a throttled async event is requeued after 1 s, doubling per throttle, capped at 300 s, "
        "without jitter, restarting from 1 s after each attempt (AWS documents only the 1 s .. 5 min range [A])"
    ),
    "age_check": (
        "assumption: an async event whose next attempt would fall after MaximumEventAgeInSeconds is "
        "discarded when its age reaches the maximum"
    ),
    "warm_reuse": (
        "assumption: idle execution environments stay warm for the whole run and the most recently "
        "freed one is reused first"
    ),
    "scaling_reason": (
        "assumption: a call refused by the scaling rate gets 429 with Reason "
        "FunctionInvocationRateLimitExceeded"
    ),
    "reserved_zero_record": (
        "assumption: with reserved concurrency 0 the event is sent to the DLQ/on-failure destination with "
        "ErrorCode 429, approximateInvokeCount 0 and condition RetriesExhausted"
    ),
    "init_default": "assumption: a cold start's init takes the probe's --init seconds (default 0.3 s) every time",
    "destination_async": (
        "assumption: a Lambda destination is invoked asynchronously, so its own async retry policy applies [AG]"
    ),
    "sdk_backoff_seeded": "assumption: the SDK's random retry backoff is drawn from --seed, so runs replay exactly",
    "batch_duration": (
        "assumption: the handler runs its directed duration once per batch, and a batch fails when any of "
        "its records is directed to fail"
    ),
}
