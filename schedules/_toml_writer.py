"""A small TOML writer for the shape of the boundaries file.

The standard library reads TOML (``tomllib``) but does not write it. The boundaries file
only needs two levels: top-level tables (``[owner]``) and arrays of tables (``[[offers]]``)
whose values are strings, integers, booleans and lists of those. Writing exactly that
shape by hand keeps ``schedules`` free of third-party packages and makes the output
canonical: one spelling per document, so a dump can be compared byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

# TOML basic strings must escape the quote, the backslash and every control character
# (U+0000–U+001F and U+007F); everything else, accents included, is written as is.
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def dumps(document: Mapping[str, Mapping[str, Any] | Sequence[Mapping[str, Any]]]) -> str:
    """Write ``document`` as TOML, sections and keys in the mapping's order.

    A mapping value becomes a ``[table]``; a sequence of mappings becomes one
    ``[[table]]`` per item (an empty sequence writes nothing). Sections are separated
    by one blank line and the text ends with a newline.
    """
    blocks: list[str] = []
    for name, section in document.items():
        if isinstance(section, Mapping):
            blocks.append(_table(f"[{_key(name)}]", section))
        else:
            blocks.extend(_table(f"[[{_key(name)}]]", item) for item in section)
    return "\n".join(blocks)


def _table(header: str, values: Mapping[str, Any]) -> str:
    lines = [header]
    lines.extend(f"{_key(key)} = {_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: Any) -> str:
    # bool before int: ``True`` is an ``int`` to Python but ``true`` to TOML.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def _string(text: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04X}"
