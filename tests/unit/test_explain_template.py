"""explain --template: each sample template fires exactly its finding, at its line; nothing fires on a clean one."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

from lambdaprobe.errors import InputError, NotAvailableError
from lambdaprobe.explain import checks, template
from lambdaprobe.explain.model import Configuration

SAMPLES = Path(__file__).parent.parent / "explain_templates"


def findings(config: Configuration) -> list[checks.Finding]:
    return [f for fn in config.functions for f in checks.run(fn, config.account)]


EXPECTED = {
    "clean.yaml": set(),
    "clean.json": set(),
    "cdk-synth.json": {("explain.sqs-visibility-timeout", "warning")},
    "sqs-visibility-timeout.yaml": {("explain.sqs-visibility-timeout", "warning")},
    "sqs-visibility-below-timeout.yaml": {("explain.sqs-visibility-timeout", "error")},
    "sqs-no-redrive.yaml": {("explain.sqs-no-redrive", "error")},
    "sqs-max-receive-count-1.yaml": {("explain.sqs-max-receive-count-1", "warning")},
    "dlq-on-sqs-only-function.yaml": {("explain.dlq-on-sqs-only-function", "warning")},
    "stream-retry-forever.yaml": {("explain.stream-retry-forever", "error")},
    "async-event-age-short.yaml": {("explain.async-event-age-short", "warning")},
    "async-no-failure-destination.yaml": {("explain.async-no-failure-destination", "error")},
    "reserved-below-sqs-max-concurrency.yaml": {("explain.reserved-below-sqs-max-concurrency", "warning")},
    "provisioned-on-latest.yaml": {("explain.provisioned-on-latest", "error")},
    "reserved-exceeds-unreserved-minimum.yaml": {("explain.reserved-exceeds-unreserved-minimum", "error")},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_fires_exactly_its_finding(name: str) -> None:
    config = template.read(str(SAMPLES / name), None, {})
    assert {(f.id, f.severity) for f in findings(config)} == EXPECTED[name]
    assert config.unresolved == ()


def test_every_catalogue_entry_has_a_sample() -> None:
    covered = {i for expected in EXPECTED.values() for i, _ in expected}
    assert covered == {c.id for c in checks.CATALOGUE}


# (template, finding id, the line the finding points at: the setting that causes it)
LINES = [
    ("sqs-visibility-timeout.yaml", "explain.sqs-visibility-timeout", "      VisibilityTimeout: 60"),
    ("sqs-no-redrive.yaml", "explain.sqs-no-redrive", "  Jobs:"),
    ("cdk-synth.json", "explain.sqs-visibility-timeout", '    "Jobs5E1F4B1A": {'),
    ("sqs-max-receive-count-1.yaml", "explain.sqs-max-receive-count-1", "      RedrivePolicy:"),
    ("dlq-on-sqs-only-function.yaml", "explain.dlq-on-sqs-only-function", "      DeadLetterConfig:"),
    ("stream-retry-forever.yaml", "explain.stream-retry-forever", "        Changes:"),
    ("async-event-age-short.yaml", "explain.async-event-age-short", "      EventInvokeConfig:"),
    ("async-no-failure-destination.yaml", "explain.async-no-failure-destination", "  Schedule:"),
    (
        "reserved-below-sqs-max-concurrency.yaml",
        "explain.reserved-below-sqs-max-concurrency",
        "              MaximumConcurrency: 50",
    ),
    ("provisioned-on-latest.yaml", "explain.provisioned-on-latest", "      ProvisionedConcurrencyConfig:"),
    (
        "reserved-exceeds-unreserved-minimum.yaml",
        "explain.reserved-exceeds-unreserved-minimum",
        "      ReservedConcurrentExecutions: 950",
    ),
]


@pytest.mark.parametrize(("name", "finding_id", "line"), LINES)
def test_a_finding_points_at_the_line_of_its_setting(name: str, finding_id: str, line: str) -> None:
    path = SAMPLES / name
    [finding] = findings(template.read(str(path), None, {}))
    assert finding.id == finding_id
    assert finding.location.file == str(path)
    assert finding.location.line is not None
    assert path.read_text().splitlines()[finding.location.line - 1] == line


def test_json_template_lines_and_links() -> None:
    config = template.read(str(SAMPLES / "clean.json"), None, {})
    [fn] = config.functions
    assert fn.timeout_s == 10
    [mapping] = fn.sqs
    assert (mapping.queue.name, mapping.queue.visibility_timeout_s, mapping.queue.max_receive_count) == (
        "WorkQueue",
        60,
        5,
    )
    assert mapping.batch_size == 5
    lines = (SAMPLES / "clean.json").read_text().splitlines()
    assert lines[mapping.location.line - 1].strip().startswith('"WorkerMapping"')  # type: ignore[operator]
    visibility = mapping.queue.visibility_location
    assert visibility is not None and visibility.line is not None
    assert lines[visibility.line - 1].strip() == '"VisibilityTimeout": 60,'


def test_sam_globals_aliases_events_and_destinations() -> None:
    config = template.read(str(SAMPLES / "clean.yaml"), "OrdersFunction", {})
    [fn] = config.functions
    assert fn.timeout_s == 30  # from Globals
    assert (fn.reserved, fn.qualifier) == (50, "live")
    assert [(p.qualifier, p.amount) for p in fn.provisioned] == [("live", 5)]
    assert fn.async_settings.max_event_age_s == 3600
    assert fn.async_settings.on_failure is not None and fn.async_settings.on_failure.target == "FailedEvents"
    assert [(t.kind, t.via) for t in fn.triggers] == [("async", "SNS event Notified"), ("sync", "HttpApi event Http")]
    [sqs] = fn.sqs
    assert (sqs.queue.visibility_timeout_s, sqs.max_concurrency, sqs.report_batch_item_failures) == (180, 20, True)
    [stream] = fn.streams
    assert (stream.kind, stream.max_retry_attempts, stream.bisect) == ("kinesis", 3, True)
    assert stream.on_failure is not None and stream.on_failure.kind == "sqs"


def test_unresolved_values_are_reported_and_skip_their_checks() -> None:
    path = str(SAMPLES / "unresolved.yaml")
    config = template.read(path, None, {})
    assert {u.key for u in config.unresolved} == {"WorkerTimeout", "IsProd"}
    [fn] = config.functions
    assert fn.timeout_s is None and fn.sqs[0].queue.visibility_timeout_s is None
    assert {f.id for f in findings(config)} == {"explain.sqs-no-redrive"}  # the only one resting on known values


def test_param_sets_a_parameter_and_a_property() -> None:
    path = str(SAMPLES / "unresolved.yaml")
    config = template.read(path, None, {"WorkerTimeout": "30", "Jobs.VisibilityTimeout": "100"})
    assert config.unresolved == ()
    [fn] = config.functions
    assert (fn.timeout_s, fn.sqs[0].queue.visibility_timeout_s) == (30, 100)
    assert {f.id for f in findings(config)} == {"explain.sqs-no-redrive", "explain.sqs-visibility-timeout"}


def test_a_param_the_template_does_not_use_is_refused() -> None:
    with pytest.raises(InputError, match="--param: Nope is not used by"):
        template.read(str(SAMPLES / "clean.yaml"), None, {"Nope": "1"})
    template.read(str(SAMPLES / "clean.yaml"), None, {"Stage": "dev"})  # declared, though nothing read needs it


def test_an_unknown_function_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(InputError, match=r"--function: 'Nope' is not a function of .*; allowed: OrdersFunction"):
        template.read(str(SAMPLES / "clean.yaml"), "Nope", {})


def test_a_queue_outside_the_template_needs_params(tmp_path: Path) -> None:
    path = tmp_path / "external.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Timeout: 10\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n"
        "            Queue: arn:aws:sqs:eu-west-1:123456789012:jobs\n"
    )
    config = template.read(str(path), None, {})
    assert {u.key for u in config.unresolved} == {"jobs.VisibilityTimeout", "jobs.maxReceiveCount"}
    assert findings(config) == []
    config = template.read(str(path), None, {"jobs.VisibilityTimeout": "30", "jobs.maxReceiveCount": "0"})
    assert {f.id for f in findings(config)} == {"explain.sqs-visibility-timeout", "explain.sqs-no-redrive"}


@pytest.mark.parametrize(
    "text",
    [
        "Resources: [unclosed",
        "just a string",
        "Description: no resources\n",
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    ],
)
def test_not_a_template_is_one_input_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match="--template: "):
        template.read(str(path), None, {})


def test_without_the_extra_the_template_reader_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_cfnlint(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("cfnlint"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cfnlint)
    with pytest.raises(NotAvailableError, match=r"pip install 'lambdaprobe\[explain\]'"):
        template.read(str(SAMPLES / "clean.yaml"), None, {})


def test_a_cdk_synthesized_template_links_its_resources() -> None:
    [fn] = template.read(str(SAMPLES / "cdk-synth.json"), None, {}).functions
    assert fn.name == "Worker4B3A2C1D" and fn.timeout_s == 30
    assert [m.queue.name for m in fn.sqs] == ["Jobs5E1F4B1A"] and fn.sqs[0].queue.visibility_timeout_s == 30
    assert fn.async_settings.on_failure is not None and fn.async_settings.on_failure.kind == "sqs"
    assert {t.via for t in fn.triggers} == {
        "sns.amazonaws.com (permission WorkerAllowInvokeOrdersStackAlerts7E8F9A0B)",
        "SNS subscription WorkerAlerts1B2C3D4E",
    }


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return str(path)


QUEUE_AND_FUNCTION = """
Resources:
  DLQ:
    Type: AWS::SQS::Queue
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 120
      RedrivePolicy: {redrive}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 20
      AutoPublishAlias: live
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: {function}
      EventSourceArn: {source}
"""


@pytest.mark.parametrize(
    ("redrive", "function", "source", "receives"),
    [
        (
            '\'{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:dlq", "maxReceiveCount": 1}\'',
            "!Ref Fn",
            "!GetAtt Jobs.Arn",
            1,
        ),  # the policy as a JSON string
        ("{deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 4}", "!Ref Fn.Alias", '!Sub "${Jobs.Arn}"', 4),
        ("{deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: '2'}", "!GetAtt Fn.Arn", "!GetAtt Jobs.Arn", 2),
    ],
)
def test_shapes_of_redrive_and_references(
    tmp_path: Path, redrive: str, function: str, source: str, receives: int
) -> None:
    path = write(tmp_path, QUEUE_AND_FUNCTION.format(redrive=redrive, function=function, source=source))
    config = template.read(path, None, {})
    [fn] = config.functions
    [mapping] = fn.sqs
    assert (mapping.queue.name, mapping.queue.has_redrive, mapping.queue.max_receive_count) == ("Jobs", True, receives)
    assert config.unresolved == ()


def test_a_computed_redrive_policy_is_unresolved_not_missing(tmp_path: Path) -> None:
    redrive = "!If [Prod, {deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 5}, !Ref AWS::NoValue]"
    path = write(tmp_path, QUEUE_AND_FUNCTION.format(redrive=redrive, function="!Ref Fn", source="!GetAtt Jobs.Arn"))
    config = template.read(path, None, {})
    assert [u.key for u in config.unresolved] == ["Jobs.RedrivePolicy"]
    assert config.functions[0].sqs[0].queue.has_redrive is None
    assert findings(config) == []  # neither "no redrive" nor anything else is claimed


def test_s3_notifications_invoke_asynchronously(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 10
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Fn.Arn
""",
    )
    config = template.read(path, None, {})
    assert [(t.kind, t.via) for t in config.functions[0].triggers] == [("async", "S3 bucket Uploads notification")]
    assert [f.id for f in findings(config)] == ["explain.async-no-failure-destination"]


@pytest.mark.parametrize(("is_prod", "visibility", "fires"), [("true", 600, False), ("false", 100, True)])
def test_conditions_follow_the_parameters(is_prod: str, visibility: int, fires: bool) -> None:
    config = template.read(str(SAMPLES / "unresolved.yaml"), None, {"WorkerTimeout": "30", "IsProd": is_prod})
    assert config.unresolved == ()
    [fn] = config.functions
    assert fn.sqs[0].queue.visibility_timeout_s == visibility  # !If [Prod, 600, 100]
    assert any(f.id == "explain.sqs-visibility-timeout" for f in findings(config)) is fires


def test_no_value_means_absent(tmp_path: Path) -> None:
    redrive = "!If [HasDlq, {deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 5}, !Ref AWS::NoValue]"
    text = QUEUE_AND_FUNCTION.format(redrive=redrive, function="!Ref Fn", source="!GetAtt Jobs.Arn")
    text = (
        "Parameters:\n  Dlq:\n    Type: String\n    Default: 'no'\nConditions:\n  HasDlq: !Equals [!Ref Dlq, 'yes']\n"
        + text
    )
    config = template.read(write(tmp_path, text), None, {})
    assert config.unresolved == ()
    assert config.functions[0].sqs[0].queue.has_redrive is False
    assert [f.id for f in findings(config)] == ["explain.sqs-no-redrive"]
    config = template.read(write(tmp_path, text), None, {"Dlq": "yes"})
    assert config.functions[0].sqs[0].queue.max_receive_count == 5 and findings(config) == []


@pytest.mark.parametrize(
    ("function_type", "alias", "fires"),
    [
        ("AWS::Serverless::Function", "", True),
        ("AWS::Serverless::Function", "      AutoPublishAlias: live\n", False),
        ("AWS::Lambda::Function", "", True),
    ],
)
def test_provisioned_concurrency_on_the_function_itself(
    tmp_path: Path, function_type: str, alias: str, fires: bool
) -> None:
    text = (
        f"Resources:\n  Fn:\n    Type: {function_type}\n    Properties:\n      Timeout: 3\n{alias}"
        "      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: 2\n"
    )
    found = [f.id for f in findings(template.read(write(tmp_path, text), None, {}))]
    assert (found == ["explain.provisioned-on-latest"]) is fires


MALFORMED = [
    "Globals: [1, 2]\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n",
    "Globals:\n  Function: just text\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n",
    "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: [a, b]\n",
    "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: !Select [9, [1, 2]]\n",
    "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: !Join [only-one]\n",
    "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: !GetAtt 7\n",
    "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events: [x]\n"
    "      DeadLetterQueue: text\n      EventInvokeConfig:\n        DestinationConfig: 5\n",
    "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E:\n"
    "          Type: SQS\n          Properties:\n            Queue: !GetAtt Nope.Arn\n            BatchSize: many\n",
    "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: '{not json'\n"
    "  Fn:\n    Type: AWS::Lambda::Function\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n"
    "    Properties:\n      FunctionName: !Ref Fn\n      EventSourceArn: !GetAtt Q.Arn\n",
    "Conditions:\n  C: !Equals [!Ref AWS::Region, eu-west-1]\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
    "    Properties:\n      Timeout: !If [C, 10, 20]\n",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_a_malformed_template_never_crashes(tmp_path: Path, text: str) -> None:
    """Each reads as far as it can, reporting what it could not resolve, or is one input error."""
    try:
        config = template.read(write(tmp_path, text), None, {})
    except InputError:
        return
    from lambdaprobe.explain import explain
    from lambdaprobe.explain.journeys import Settings

    explain(config, Settings(burst=3))  # checks and journeys run on whatever was read
