"""Event sources in the simulator: one small module per source, and the registry kind -> driver.

Each module holds its source's rule at the top and a `drive(ctx, scenario)` that schedules the
stimulus on the clock. The AWS target's modules for the same kinds are in `lambdaprobe.aws.sources`.
"""

from __future__ import annotations

from lambdaprobe.scenario import SourceKind
from lambdaprobe.sim.sources import destination, eventbridge, sns, sqs, streams
from lambdaprobe.sim.sources.context import SimContext, SourceDriver

__all__ = ["DRIVERS", "SimContext", "SourceDriver"]

# sync and async are direct invokes: the target sends them itself, there is no source to drive.
DRIVERS: dict[SourceKind, SourceDriver] = {
    "sqs": sqs.drive,
    "sqs-fifo": sqs.drive,
    "sns": sns.drive,
    "eventbridge": eventbridge.drive,
    "kinesis": streams.drive_kinesis,
    "dynamodb": streams.drive_dynamodb,
    "destination": destination.drive,
}
