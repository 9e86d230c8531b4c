"""What every validation rule needs: where a value was written, how to report
a problem there, and "did you mean" suggestions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import fuzz, process

from .problems import Problem, Severity
from .yaml_io import SourceMap

ERROR, WARNING, INFO = Severity.error, Severity.warning, Severity.info


def suggest(word: str, choices: Iterable[str], limit: int = 1, cutoff: float = 60) -> list[str]:
    """The closest choices to a misspelt id or name (rapidfuzz WRatio, best first)."""
    options = [c for c in dict.fromkeys(choices) if c and c != word]
    if not word or not options:
        return []
    found = process.extract(word, options, scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
    return [choice for choice, _score, _ in found]


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str | None:
    """A hint: "did you mean 'x'?", else the list of what exists (short lists only)."""
    options = sorted(c for c in set(choices) if c)
    best = suggest(word, options)
    if best:
        return f"did you mean '{best[0]}'?"
    if not options:
        return f"there are no {what} yet" if what else None
    if len(options) <= 8:
        return f"known {what or 'names'}: " + ", ".join(options)
    return None


@dataclass
class Reporter:
    """Collects problems for one file with positions taken from its SourceMap."""
    problems: list[Problem]
    file: str | None
    source: SourceMap | None
    procedure: str | None = None

    def position(self, path: tuple | None, key: bool = False) -> tuple[int, int] | None:
        if self.source is None or path is None:
            return None
        return self.source.key_position(path) if key else self.source.locate(path)

    def add(self, severity: Severity, code: str, message: str, *, path: tuple | None = None,
            key: bool = False, step: str | None = None, hint: str | None = None,
            at: tuple[int, int] | None = None) -> Problem:
        pos = at or self.position(path, key)
        problem = Problem(severity=severity, code=code, message=message, file=self.file,
                          line=pos[0] if pos else None, column=pos[1] if pos else None,
                          procedure=self.procedure, step=step, hint=hint)
        self.problems.append(problem)
        return problem

    def in_text(self, path: tuple, line: int | None, column: int | None) -> tuple[int, int] | None:
        """The file position of (line, column) inside the text value at `path`."""
        return self.source.in_text(path, line or 1, column or 1) if self.source else None
