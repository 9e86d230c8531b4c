"""Shared pydantic base: strict about unknown keys so typos surface as problems."""
from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=False)

    def to_data(self) -> dict[str, Any]:
        """The plain data written to YAML: defaults left out so files stay small."""
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True)


def expression_text(value: Any) -> Any:
    """YAML turns `when: true` or `when: 3` into non-strings; expressions are text."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    return value
