"""The deployment package: the probe handler and its directive module, zipped flat, in memory."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from importlib import resources

FILES = ("handler.py", "directive.py", "features.py")
HANDLER = "handler.handler"
RELAY_HANDLER = "handler.relay"
# A fixed timestamp makes the zip (and so the plan) identical from run to run.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@cache
def function_zip() -> bytes:
    """`probes/{handler,directive,features}.py` (installed as `lambdaprobe.function`) at the zip root,
    byte-for-byte reproducible."""
    package = resources.files("lambdaprobe.function")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in FILES:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, package.joinpath(name).read_bytes())
    return buf.getvalue()
