"""What a run on --target aws costs, where that is not negligible: published prices held as data.

Prices: US East (N. Virginia), x86, as published on the pricing pages below (checked 2026-01). Other
regions differ by a few percent; the estimate says "about" and names what it counts.
"""

from __future__ import annotations

from lambdaprobe.scenario import Scenario

PRICES_AS_OF = "2026-01, us-east-1"
# https://aws.amazon.com/lambda/pricing/ : provisioned concurrency, per GB-second allocated
PROVISIONED_PER_GB_S = 0.0000041667
# https://aws.amazon.com/kms/pricing/ : a customer managed key, per month, prorated per hour
KMS_KEY_PER_MONTH = 1.0
# Setting provisioned concurrency up and tearing it down takes minutes; billed meanwhile.
PROVISIONED_SETUP_S = 300.0
NEGLIGIBLE_USD = 0.01


def estimate(scenario: Scenario, run_s: float) -> list[str]:
    """One line per billable item worth mentioning (empty: pay-per-request costs only, under a cent)."""
    lines: list[str] = []
    provisioned = scenario.concurrency.provisioned
    if provisioned:
        gb = scenario.function.memory_mb / 1024
        seconds = run_s + PROVISIONED_SETUP_S
        usd = provisioned * gb * seconds * PROVISIONED_PER_GB_S
        lines.append(
            f"provisioned concurrency {provisioned} x {scenario.function.memory_mb} MB for about "
            f"{seconds / 60:.0f} min: {_usd(usd)} (billed from READY until teardown; prices {PRICES_AS_OF})"
        )
    feature = scenario.feature
    if feature is not None and feature.kind == "env-encryption":
        lines.append(
            f"a KMS key: ${KMS_KEY_PER_MONTH:.0f}/month, prorated hourly, while it exists (its deletion is "
            f"scheduled at teardown, 7 days being the minimum; prices {PRICES_AS_OF})"
        )
    if feature is not None and feature.kind in ("vpc", "efs") and not feature.subnets:
        lines.append("a VPC, a subnet and a security group: no charge (no NAT gateway, no EC2 host is created)")
    if feature is not None and feature.kind == "efs":
        lines.append(f"an EFS file system holding one small file for minutes: under ${NEGLIGIBLE_USD:.2f}")
    if not lines:
        lines.append(f"negligible: pay-per-request charges only, under ${NEGLIGIBLE_USD:.2f}")
    return lines


def _usd(amount: float) -> str:
    return f"under ${NEGLIGIBLE_USD:.2f}" if amount < NEGLIGIBLE_USD else f"about ${amount:.2f}"
