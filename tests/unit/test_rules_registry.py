"""The rules registry: every rule resolvable by id, sourced from AWS documentation, assumptions measurable."""

import re
from urllib.parse import urlparse

import pytest

from lambdaprobe.rules import RULES, RuleId, rule
from lambdaprobe.rules.documented import ALL_PROBES

AWS_HOSTS = ("docs.aws.amazon.com", "aws.amazon.com", "repost.aws", "boto3.amazonaws.com", "botocore.amazonaws.com")


def test_every_id_has_exactly_one_rule() -> None:
    assert set(RULES) == set(RuleId)
    assert all(RULES[i].id is i for i in RuleId)


@pytest.mark.parametrize("rid", list(RuleId), ids=str)
def test_each_rule_is_sourced_and_worded(rid: RuleId) -> None:
    r = RULES[rid]
    assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", rid.value)
    assert r.sources, f"{rid.value} cites nothing"
    for url in r.sources:
        parsed = urlparse(url)
        assert parsed.scheme == "https" and parsed.hostname is not None
        assert parsed.hostname.endswith(AWS_HOSTS), url
    assert r.text.endswith(".") and len(r.text) > 30
    assert not re.search(r"\[[A-Z]{1,2}\d?(, ?[A-Z]{1,2}\d?)*\]|§", r.text)
    assert r.probes and set(r.probes) <= set(ALL_PROBES)
    if r.kind == "assumption":
        assert r.measures, f"assumption {rid.value} says nothing of what --target aws measures"
    else:
        assert not r.measures


def test_rule_looks_up_by_string_and_refuses_unknown_ids() -> None:
    assert rule("async.retry-spacing") is RULES[RuleId.ASYNC_RETRY_SPACING]
    assert rule("async.retry-spacing").constants["spacing_s"] == 60.0
    with pytest.raises(ValueError):
        rule("async.retry-spacin")


def test_documented_and_assumed_rules_both_present() -> None:
    kinds = {r.kind for r in RULES.values()}
    assert kinds == {"documented", "assumption"}
    assert rule(RuleId.CONCURRENCY_SCALING_REASON).kind == "assumption"
    assert rule(RuleId.ASYNC_RESERVED_ZERO).kind == "documented"


def test_json_entry_is_the_report_contract() -> None:
    entry = rule(RuleId.SQS_VISIBILITY_TIMEOUT).to_json()
    assert set(entry) == {"id", "kind", "text", "sources"}
    assert entry["id"] == "sqs.visibility-timeout" and entry["kind"] == "documented"
