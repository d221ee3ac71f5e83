"""The rules registry: every rule the model uses, documented (with AWS documentation URLs) or
assumed (with what a `--target aws` run measures to check it). Cited anywhere in the project by id,
written in brackets, e.g. [async.retry-spacing]."""

from lambdaprobe.rules.ids import RuleId
from lambdaprobe.rules.model import Constant, Kind, Rule
from lambdaprobe.rules.registry import RULES, in_order, rule

__all__ = ["RULES", "Constant", "Kind", "Rule", "RuleId", "in_order", "rule"]
