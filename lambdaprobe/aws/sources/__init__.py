"""Event sources on the AWS target: one module per source, and the registry kind -> source,
beside the simulator's (`lambdaprobe.sim.sources`). Pure: a module plans its resources and their
wiring, sends one stimulus through a client it is given, and says what to expect of a request.

Adding a source kind: its kind in `lambdaprobe.scenario.SourceKind`, a module here and one in
`lambdaprobe.sim.sources`, and a line in each registry.
"""

from __future__ import annotations

from lambdaprobe.aws.sources import destination, direct, eventbridge, sns, sqs, streams
from lambdaprobe.aws.sources.base import AwsSource
from lambdaprobe.scenario import SourceKind

__all__ = ["SOURCES", "AwsSource"]

SOURCES: dict[SourceKind, AwsSource] = {
    "sync": direct.SOURCE,
    "async": direct.SOURCE,
    "sqs": sqs.SOURCE,
    "sqs-fifo": sqs.SOURCE,
    "sns": sns.SOURCE,
    "eventbridge": eventbridge.SOURCE,
    "kinesis": streams.KINESIS,
    "dynamodb": streams.DYNAMODB,
    "destination": destination.SOURCE,
}
