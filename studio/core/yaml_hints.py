"""What to do about a YAML error, from the reader's (or the limits policy's) wording:
one table, so `studio validate`, run-all and the editor give the same hint."""
from __future__ import annotations

GENERIC = "fix the indentation or quoting near this position"

#: the YAML reader's wording (and the limits') -> what to do about it
YAML_HINTS = (
    ("found character '\\t'", "YAML does not allow tabs for indentation: indent with spaces"),
    ("expected <block end>", "this line is indented differently from the lines above it; "
                             "line it up with its siblings"),
    ("mapping values are not allowed", "a ': ' inside a value: put the value in quotes "
                                       "(text: \"Note: ...\")"),
    ("could not find expected ':'", "a line without 'key: value' inside a mapping; check indentation "
                                    "or add the missing ':'"),
    ("found unexpected end of stream", "a quote is opened but never closed"),
    ("expected ',' or '}'", "a '{' is never closed, or a value in it needs quotes"),
    ("expected ',' or ']'", "a '[' is never closed, or a value in it needs quotes"),
    ("found duplicate anchor", "an anchor (&name) is defined twice"),
    ("found undefined alias", "an alias (*name) refers to no anchor; quote text starting with '*'"),
    ("cannot start any token", "text starting with '@', '`' or '%' must be quoted"),
    ("nests deeper than", "flatten it: move deep data into a list of small entries"),
    ("values; write the values out", "an alias (*name) repeats a whole block: a few aliases of "
                                     "aliases multiply into millions of values"),
    ("(a loop)", "an alias cannot sit inside the block its anchor (&name) marks"),
    ("characters long; the limit is", "split it into several files"),
    ("the file holds more than", "split it into several files"),
    ("found another document", "a project file holds one YAML document: remove the '---' line, "
                               "or put the second part in a file of its own"),
)


def yaml_hint(message: str) -> str | None:
    """The specific hint for a YAML error message, or None when only the generic one fits."""
    return next((hint for needle, hint in YAML_HINTS if needle in message), None)
