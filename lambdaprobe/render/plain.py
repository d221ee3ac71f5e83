"""Text from outside (AWS, a function, a report file) made safe to print: plain, one line, inert.

Rich would read `[bold]` or `[link=...]` in such text as markup, and a terminal would obey an ESC
sequence (retitle the window, clear the screen). Everything rendered from those sources goes
through `plain` (a str to print) or `text` (a rich Text, never parsed as markup).
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 controls, DEL; tab and newline are handled by the caller's choice of `keep`
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return {"\t": " ", "\n": "\n"}.get(ch, f"\\x{ord(ch):02x}")


def plain(value: object, *, newlines: bool = False) -> str:
    """`value` as text with every control character shown as `\\xNN` (newlines kept if asked)."""
    text = str(value)
    if not newlines:
        text = text.replace("\n", "\\n")
    return _CONTROL.sub(_escape, text)


def text(value: object, style: str = "", *, newlines: bool = False) -> Text:
    """`value` as a rich Text: printed as it is, never read as markup."""
    return Text(plain(value, newlines=newlines), style=style)
