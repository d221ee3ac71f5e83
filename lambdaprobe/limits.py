"""Lambda's rules as numbers, each written once: the simulator, the AWS collector and the probes'
validation all import them from here.

- Init limit: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
  (the init phase may take up to 10 s without counting toward the timeout; a longer one is cut and
  run again inside the first invoke, counted toward it: a "suppressed init").
- SDK attempts: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
  (total attempts per call: legacy, boto3's default, 5; standard, the AWS CLI v2's, 3).
- Async retries: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
  (one minute between the first two attempts, two between the second and third).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from lambdaprobe.scenario import SdkRetryMode

INIT_LIMIT_S: Final = 10.0
SDK_ATTEMPTS: Final[Mapping[SdkRetryMode, int]] = {"off": 1, "legacy": 5, "standard": 3}
# retry k starts 60*k s after the previous attempt ended
ASYNC_RETRY_SPACING_S: Final = 60.0
