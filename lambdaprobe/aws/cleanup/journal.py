"""What `cleanup` learns from the local run journals (see `aws.run.journal`).

- A journal with a live lease marks its run as live: cleanup skips it unless asked by run id.
- An abandoned journal (lease run out, or finished with leftovers) names resources that tags cannot
  find: an S3 bucket created but not yet tagged. Such a bucket qualifies by name, since the journal
  of a run of this machine recorded the intent to create exactly that name.
- Once nothing of a run is left, its journal is removed.
Journals of another endpoint or region than the cleanup's are not used for finding (only for liveness).
"""

from __future__ import annotations

import contextlib

from lambdaprobe.aws.cleanup.features import bucket_leftover
from lambdaprobe.aws.cleanup.leftovers import Inspector, Leftover, valid_run_id
from lambdaprobe.aws.client import BOTO_ERRORS, one_line
from lambdaprobe.aws.options import AwsOptions
from lambdaprobe.aws.run.journal import JournalFile, read_journals


def _same_place(journal: JournalFile, options: AwsOptions) -> bool:
    return journal.endpoint_url == options.endpoint_url and (
        options.region is None or journal.region in (None, options.region)
    )


def live_journal_runs(options: AwsOptions, now: float) -> tuple[set[str], set[str]]:
    """(runs a journal says are live, runs whose journal's process on this machine is gone: those
    are abandoned whatever their tags say)."""
    journals, _ = read_journals()
    return {j.run_id for j in journals if j.live(now)}, {j.run_id for j in journals if j.dead()}


def journal_leftovers(
    finder: Inspector, options: AwsOptions, found: list[Leftover], now: float
) -> tuple[list[Leftover], list[str]]:
    """Untagged buckets named by abandoned journals, and a line per journal that could not be read."""
    journals, problems = read_journals()
    known = {f.name for f in found}
    out: list[Leftover] = []
    for journal in journals:
        if journal.live(now) or not valid_run_id(journal.run_id) or not _same_place(journal, options):
            continue
        for entry in journal.entries:
            if entry.get("call") != "s3.CreateBucket":
                continue
            teardown = entry.get("teardown")
            bucket = teardown[2].get("Bucket") if isinstance(teardown, list) and len(teardown) == 3 else None
            if (
                not isinstance(bucket, str)
                or bucket in known
                or not bucket.startswith(f"lambdaprobe-{journal.run_id}-")
            ):
                continue
            try:
                finder.client.call("s3", "HeadBucket", {"Bucket": bucket})
                out.append(bucket_leftover(finder, bucket, journal.run_id, journal.lease_until or None, None))
            except BOTO_ERRORS as exc:
                if "404" not in one_line(exc) and "NotFound" not in one_line(exc):
                    problems.append(one_line(exc, f"s3 bucket {bucket} (from the run journal)"))
    return out, problems


def remove_finished_journals(
    options: AwsOptions, remaining: set[str], aws_unreadable: bool, now: float, run_id: str | None
) -> None:
    """Drop the journals of abandoned runs of which nothing is left (`remaining`: run ids still
    with something in AWS); none while something in AWS could not be read."""
    if aws_unreadable:
        return  # what could not be read may still be there: the journals keep saying so
    journals, _ = read_journals()
    if run_id is not None:
        journals = [j for j in journals if j.run_id == run_id]
    for journal in journals:
        if journal.live(now) or not _same_place(journal, options) or journal.run_id in remaining:
            continue
        with contextlib.suppress(OSError):
            journal.path.unlink()
