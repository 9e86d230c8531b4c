"""Ids are file names and step references, so one pattern rules them all."""
import re
from typing import Annotated

from pydantic import StringConstraints

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
ID_RE = re.compile(ID_PATTERN)

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


def is_valid_id(value: str) -> bool:
    return bool(ID_RE.match(value or ""))


def slugify(text: str) -> str:
    """Turn a title into an id a designer would have typed."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return (slug or "item")[:64]
