"""Where the bundled sample projects live: inside the installed package (wheel,
app bundle), or beside it in a source checkout, where `sample_projects/` is the
copy people edit and the README opens."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent.parent / "sample_projects"


def samples_root() -> Path:
    """The package's `sample_projects` data when installed, else the checkout's folder."""
    packaged = Path(str(files("studio") / "sample_projects"))
    return packaged if packaged.is_dir() else CHECKOUT


def sample_names() -> list[str]:
    root = samples_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "studio.yaml").is_file())
