"""The flags and set-up shared by the commands that talk to a model (`model test`,
`draft`, `suggest`, and the flags of `simulate` and `run-all`): --model and
--api-base, the project check, and the settings they resolve to, so every
command reads the same flags the same way."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

MODEL_HELP = "litellm model id (overrides studio.yaml)"
ENGINE_HELP = "engine: 'offline' or a litellm model id"
API_BASE_HELP = "base URL of an OpenAI-compatible server"


def add_model_flags(parser: Any, *, model_help: str = MODEL_HELP, api_base_help: str = API_BASE_HELP,
                    metavars: tuple[str | None, str | None] = ("M", "URL")) -> None:
    """--model and --api-base (dest `model`, `api_base`, default None). The help texts and
    metavars are parameters because the flags' `--help` is part of each command's contract;
    a None metavar keeps argparse's own (MODEL, API_BASE)."""
    model_metavar, api_base_metavar = metavars
    parser.add_argument("--model", metavar=model_metavar, help=model_help)
    parser.add_argument("--api-base", metavar=api_base_metavar, help=api_base_help)


def load_model_project(root: str | Path) -> Any:
    """The loaded project, or None after saying on stderr that `root` is not one."""
    from studio.core.project import load_project
    path = Path(root)
    if not (path / "studio.yaml").is_file():
        print(f"error: {path} is not a Procedure Studio project (no studio.yaml)", file=sys.stderr)
        return None
    return load_project(path)


def settings_from_args(project: Any, args: Any, **overrides: Any) -> Any:
    """The project's model settings < the user's settings file < --model/--api-base/overrides."""
    from studio.llm.settings import resolve_settings
    return resolve_settings(project.settings.model, model=getattr(args, "model", None),
                            api_base=getattr(args, "api_base", None), **overrides)
