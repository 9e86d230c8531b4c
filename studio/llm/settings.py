"""Model settings as used for one call: project (studio.yaml `model:`), overlaid by
the user's own settings file, overlaid by command-line flags.

The user file (studio.core.user_settings: `settings.yaml` in the platformdirs user
config folder, or in $PROCEDURE_STUDIO_CONFIG_DIR) holds machine-specific choices such as a local
`api_base`, `timeout` or `concurrency`:

    model: {api_base: "http://localhost:11434", timeout: 120, concurrency: 4}

It never holds API keys (those live in the keyring or the environment), and it
does not change which model a project uses: `name` comes from studio.yaml or
`--model`, so a project stays reproducible across machines.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from studio.core.user_settings import user_section

from .keys import KeyChoice, choose_key
OVERLAY_FIELDS = ("api_base", "temperature", "timeout", "concurrency", "retries", "judge",
                  "customer", "vision")


class LLMSettings(BaseModel):
    """Everything a model call needs except the messages."""
    model: str = "offline"
    api_base: str | None = None
    temperature: float | None = None
    timeout: float = 60.0
    concurrency: int = 32           # upper bound of parallel calls to this model
    retries: int = 3                # retries after the first attempt, for transient faults
    backoff: float = 1.0            # first retry delay in seconds; doubles each time
    max_backoff: float = 30.0
    judge: str | None = None        # model for rubric judging (default: `model`)
    customer: str | None = None     # model playing the customer (default: `model`)
    api_key: SecretStr | None = Field(default=None, repr=False)   # explicit key (tests, GUI)
    vision: bool | None = None      # the model sees images; None: ask litellm's model map

    @property
    def is_offline(self) -> bool:
        return self.model == "offline"

    def key_choice(self) -> KeyChoice:
        """The API key a call with these settings sends, and where it comes from."""
        explicit = self.api_key.get_secret_value() if self.api_key is not None else None
        return choose_key(self.model, self.api_base, explicit)

    def for_role(self, role: str) -> "LLMSettings":
        """The settings for `agent`, `judge` or `customer` calls."""
        other = {"judge": self.judge, "customer": self.customer}.get(role)
        return self.model_copy(update={"model": other}) if other else self


def load_user_settings(path: Path | None = None) -> dict[str, Any]:
    """The `model:` mapping of the user's settings file; {} when absent or unreadable."""
    return {k: v for k, v in user_section("model", path).items() if k in OVERLAY_FIELDS}


def resolve_settings(project_model: Any = None, *, model: str | None = None,
                     api_base: str | None = None, user: dict[str, Any] | None = None,
                     **overrides: Any) -> LLMSettings:
    """Project settings (a core ModelSettings or a dict) < user file < flags/overrides."""
    data: dict[str, Any] = {}
    if project_model is not None:
        raw = project_model if isinstance(project_model, dict) else project_model.model_dump()
        data.update({k: v for k, v in raw.items() if v is not None})
    if "name" in data:
        data["model"] = data.pop("name")
    user = load_user_settings() if user is None else user
    data.update({k: v for k, v in user.items() if v is not None and k in OVERLAY_FIELDS})
    if model:
        data["model"] = model
    if api_base:
        data["api_base"] = api_base
    data.update({k: v for k, v in overrides.items() if v is not None})
    known = set(LLMSettings.model_fields)
    return LLMSettings(**{k: v for k, v in data.items() if k in known})


def settings_for_project(project: Any, options: Any = None) -> LLMSettings:
    """Settings for a loaded Project and optional RunOptions (model, api_base)."""
    return resolve_settings(
        project.settings.model,
        model=getattr(options, "model", None),
        api_base=getattr(options, "api_base", None))
