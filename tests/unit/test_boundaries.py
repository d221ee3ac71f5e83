"""The functional core does no I/O (the import contract in pyproject.toml): it imports without boto3, rich or typer."""

import subprocess
import sys
import textwrap

BLOCK = textwrap.dedent(
    """
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"boto3", "botocore", "rich", "typer", "click"}:
                raise ImportError(f"the core must not import {name}")
            return None
    sys.meta_path.insert(0, Block())
    """
)


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_core_and_simulator_run_with_io_libraries_blocked() -> None:
    code = BLOCK + textwrap.dedent(
        """
        from lambdaprobe.scenarios import concurrency, retry
        from lambdaprobe.sim.target import SimTarget
        from lambdaprobe.analysis import analyse
        """
    ) + textwrap.dedent(
        """
        s = concurrency.build(reserved=1, provisioned=1, qualifier="alias", count=20, interval=1.0,
                              duration=20.0, mode="sync", init=0.3, timeout=None, seed=0)
        print(analyse(s, SimTarget().run(s)).summary.throttled)
        """
    )
    done = python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "19"


def test_the_blocker_itself_blocks() -> None:
    done = python(BLOCK + "import rich\n")
    assert done.returncode != 0 and "must not import rich" in done.stderr


def test_help_does_not_import_boto3() -> None:
    done = python(
        "import sys\nfrom lambdaprobe.cli import main\nstatus = main(['--help'])\n"
        "print(status, 'boto3' in sys.modules, 'botocore' in sys.modules, file=sys.stderr)"
    )
    assert done.stderr.strip().splitlines()[-1] == "0 False False"
