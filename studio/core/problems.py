"""A problem is what validation and loading report: never an exception to the user."""
from enum import Enum

from pydantic import BaseModel


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class Problem(BaseModel):
    severity: Severity = Severity.error
    code: str = "error"
    message: str
    file: str | None = None          # path relative to the project folder
    line: int | None = None          # 1-based
    column: int | None = None        # 1-based
    procedure: str | None = None
    step: str | None = None
    hint: str | None = None

    def where(self) -> str:
        parts = [self.file or "<project>"]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        text = f"{self.where()}: {self.severity.value}: {self.message}"
        if self.step:
            text += f" [step {self.step}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == Severity.error for p in problems)
