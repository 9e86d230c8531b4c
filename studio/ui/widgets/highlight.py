"""Syntax colours for expressions, templates and Python snippets, plus a wavy problem underline."""
from __future__ import annotations

import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat

from ..theme import colors


def _fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.DemiBold)
    f.setFontItalic(italic)
    return f


def palette() -> dict[str, QTextCharFormat]:
    dark = colors().dark
    return {
        "keyword": _fmt("#C084FC" if dark else "#7C3AED", bold=True),
        "string": _fmt("#86EFAC" if dark else "#15803D"),
        "number": _fmt("#FDBA74" if dark else "#C2410C"),
        "name": _fmt("#93C5FD" if dark else "#1D4ED8"),
        "function": _fmt("#F9A8D4" if dark else "#BE185D"),
        "comment": _fmt("#9CA3AF", italic=True),
        "brace": _fmt("#FBBF24" if dark else "#B45309", bold=True),
    }


TOKENS = re.compile(r"""(?P<string>"[^"\n]*"?|'[^'\n]*'?)|(?P<comment>\#.*)|(?P<number>\b\d+(\.\d+)?\b)
                        |(?P<word>[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)""", re.X)
EXPR_KEYWORDS = {"and", "or", "not", "in", "is", "True", "False", "None", "true", "false",
                 "null", "none", "else", "if"}
FUNCTIONS = {"len", "lower", "upper", "round", "min", "max", "abs", "matches", "is_set"}


class CodeHighlighter(QSyntaxHighlighter):
    """Python-ish colouring; in template mode only inside `{{ }}`; plus problem underlines."""

    def __init__(self, document, mode: str = "python"):
        super().__init__(document)
        self.mode = mode
        self.formats = palette()
        self.problem: tuple[int, int, str, str] | None = None   # start, length, message, severity

    def set_problem(self, problem: tuple[int, int, str, str] | None) -> None:
        if problem != self.problem:
            self.problem = problem
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        if self.mode == "template":
            for match in re.finditer(r"\{\{(.*?)(\}\}|$)", text):
                self.setFormat(match.start(), 2, self.formats["brace"])
                if match.group(2):
                    self.setFormat(match.end() - 2, 2, self.formats["brace"])
                self._tokens(match.group(1), match.start(1))
        else:
            self._tokens(text, 0)
        self._underline(text)

    def _tokens(self, text: str, offset: int) -> None:
        keywords = set(keyword.kwlist) if self.mode == "python" else EXPR_KEYWORDS
        for m in TOKENS.finditer(text):
            kind = m.lastgroup
            if kind == "word":
                word = m.group("word")
                kind = ("keyword" if word in keywords else
                        "function" if word in FUNCTIONS or word in ("print", "str", "int", "float")
                        else "name")
            if kind == "comment" and self.mode != "python":
                continue
            self.setFormat(offset + m.start(), m.end() - m.start(), self.formats[kind])

    def _underline(self, text: str) -> None:
        if not self.problem:
            return
        start, length, _msg, severity = self.problem
        block_start = self.currentBlock().position()
        lo, hi = max(start, block_start), min(start + length, block_start + len(text))
        if hi <= lo and not (length == 0 and block_start <= start <= block_start + len(text)):
            return
        if hi <= lo:
            lo, hi = max(block_start, start - 1), min(block_start + len(text), start + 1)
        for pos in range(lo - block_start, hi - block_start):
            fmt = self.format(pos)
            fmt.setUnderlineStyle(QTextCharFormat.WaveUnderline)
            fmt.setUnderlineColor(QColor("#DC2626" if severity == "error" else "#D97706"))
            self.setFormat(pos, 1, fmt)
