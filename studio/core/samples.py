"""Where the bundled sample projects live: next to the package in a checkout."""
from __future__ import annotations

from pathlib import Path


def samples_root() -> Path:
    """The `sample_projects` folder beside the `studio` package."""
    return Path(__file__).resolve().parent.parent.parent / "sample_projects"


def sample_names() -> list[str]:
    root = samples_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "studio.yaml").is_file())
