"""Images for models that can see them: litellm's `image_url` parts with base64 data.

Whether a model sees images comes from litellm's model map (`supports_vision`);
a local model the map does not know (llava under Ollama, say) can be declared
with `vision: true` in the user's settings file (`model:` section). A model that
cannot see images gets the file name only, and the engine's trace says so.
"""
from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any

MAX_IMAGE_BYTES = 8 * 1024 * 1024        # providers refuse larger inline images anyway
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def supports_vision(settings: Any) -> bool:
    """True when the agent's model accepts image parts."""
    declared = getattr(settings, "vision", None)
    if declared is not None:
        return bool(declared)
    model = getattr(settings, "model", None) or ""
    if not model or model == "offline":
        return False
    from .openai_http import direct
    if direct(model, getattr(settings, "api_base", None)):      # litellm stays unimported
        from .model_map import supports_vision as in_map
        return in_map(model.split("/", 1)[1])
    from .client import import_litellm
    litellm = import_litellm()
    try:
        return bool(litellm.supports_vision(model=model))
    except Exception:               # litellm raises for models its map does not know
        return False


def image_part(path: Path) -> tuple[dict[str, Any] | None, str]:
    """(an `image_url` content part, "") for an image file; (None, why not) otherwise."""
    mime = mimetypes.guess_type(path.name)[0] or ""
    if mime not in IMAGE_TYPES:
        return None, f"{path.name} is not an image a model reads ({mime or 'unknown type'})"
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return None, f"{path.name} is {size // 1024} KB, over the {MAX_IMAGE_BYTES // 1024} KB sent inline"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError as exc:
        return None, f"{path.name} cannot be read ({exc.strerror or exc})"
    return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}}, ""


def with_images(text: str, parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """A user message's content: plain text, or text and image parts."""
    if not parts:
        return text
    return [{"type": "text", "text": text}, *parts]
