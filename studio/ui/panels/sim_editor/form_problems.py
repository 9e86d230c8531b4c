"""What the simulation editor's forms find wrong, as coded problems: an error
blocks saving, a warning is only shown. The editor reads severities and codes,
never the message text."""
from __future__ import annotations

from studio.core.problems import Problem, Severity

__all__ = ["Problem", "blocking", "problem", "within"]


def problem(code: str, message: str, blocking: bool = False) -> Problem:
    return Problem(code=code, message=message,
                   severity=Severity.error if blocking else Severity.warning)


def within(prefix: str, problems: list[Problem]) -> list[Problem]:
    """`problems` of a part of the form, their messages led by where that part is."""
    return [p.model_copy(update={"message": f"{prefix}{p.message}"}) for p in problems]


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == Severity.error]
