"""Static analysis of a code step's snippet, without running it.

Validation needs to know which variables a snippet reads (so it can warn about
names nothing sets) and which it assigns (those become conversation
variables); the UI's "test snippet" panel and the sandbox use the same facts.
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from functools import lru_cache

from .expressions import dotted_name
from .limits import check_snippet

BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class SnippetInfo:
    reads: frozenset[str] = frozenset()      # free names: must come from the conversation
    assigns: tuple[str, ...] = ()            # top-level names assigned, in first-assignment order
    defines: frozenset[str] = frozenset()    # imports, functions, classes (not variables)
    imports: frozenset[str] = frozenset()    # top-level modules imported
    error: str | None = None                 # syntax error message
    line: int | None = None                  # 1-based, within the snippet
    column: int | None = None                # 1-based, within the snippet
    paths: frozenset[str] = field(default=frozenset())  # dotted reads like `order.total`

    @property
    def ok(self) -> bool:
        return self.error is None


@lru_cache(maxsize=2048)
def analyze_snippet(code: str) -> SnippetInfo:
    """Reads, assigns and syntax error of a snippet (cached: it runs as the user types)."""
    try:
        tree = ast.parse(code or "", mode="exec")
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        return SnippetInfo(error=f"syntax error: {msg}", line=exc.lineno,
                           column=exc.offset if exc.offset else None)
    except (ValueError, MemoryError, RecursionError) as exc:  # null bytes, absurd nesting
        return SnippetInfo(error=f"cannot parse the snippet: {exc}", line=1, column=1)
    breach = check_snippet(code or "", tree)   # too long or too deep to read safely
    if breach is not None:
        return SnippetInfo(error=breach.message, line=breach.line, column=breach.column)
    scanner = _Scanner()
    for statement in tree.body:
        scanner.statement(statement)
    return SnippetInfo(
        reads=frozenset(scanner.reads),
        assigns=tuple(scanner.assigns),
        defines=frozenset(scanner.defines),
        imports=frozenset(scanner.imports),
        paths=frozenset(scanner.paths),
    )


class _Scanner:
    """Walks top-level statements in order: a name read before it is set is free."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.assigns: list[str] = []
        self.defines: set[str] = set()
        self.imports: set[str] = set()
        self.reads: set[str] = set()
        self.paths: set[str] = set()

    # -- module level -------------------------------------------------------
    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                if name != "*":
                    self._define(name)
            if isinstance(node, ast.Import):
                self.imports |= {a.name.split(".")[0] for a in node.names}
            elif node.module:
                self.imports.add(node.module.split(".")[0])
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for deco in node.decorator_list:
                self.expression(deco)
            self._define(node.name)
            self._nested(node, _scope_bound(node))
            return
        if isinstance(node, ast.Assign):
            self.expression(node.value)
            for target in node.targets:
                self._target(target)
            return
        if isinstance(node, ast.AugAssign):
            self.expression(node.value)
            self._load_target(node.target)
            self._target(node.target)
            return
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.expression(node.value)
                self._target(node.target)
            return
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self.expression(node.iter)
            self._target(node.target)
            self._body(node.body + node.orelse)
            return
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expression(item.context_expr)
                if item.optional_vars is not None:
                    self._target(item.optional_vars)
            self._body(node.body)
            return
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self._body(node.body)
            for handler in node.handlers:
                if handler.type is not None:
                    self.expression(handler.type)
                if handler.name:
                    self.bound.add(handler.name)
                self._body(handler.body)
            self._body(node.orelse + node.finalbody)
            return
        if isinstance(node, (ast.If, ast.While)):
            self.expression(node.test)
            self._body(node.body + node.orelse)
            return
        if isinstance(node, ast.Match):
            self.expression(node.subject)
            for case in node.cases:
                for sub in ast.walk(case.pattern):
                    name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                    if isinstance(name, str):
                        self._assign(name)
                if case.guard is not None:
                    self.expression(case.guard)
                self._body(case.body)
            return
        if isinstance(node, ast.Delete):
            for target in node.targets:
                self._load_target(target)
            return
        if isinstance(node, ast.Global):
            return
        # Expr, Return, Raise, Assert, Pass, Break, Continue, ...
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expression(child)
            elif isinstance(child, ast.stmt):
                self.statement(child)

    def _body(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.statement(statement)

    def _assign(self, name: str) -> None:
        self.bound.add(name)
        if name not in self.assigns and name not in self.defines:
            self.assigns.append(name)

    def _define(self, name: str) -> None:
        self.bound.add(name)
        self.defines.add(name)

    def _target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._assign(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target(element)
        elif isinstance(target, ast.Starred):
            self._target(target.value)
        else:  # x.attr = ..., x[i] = ...: reads x, changes it
            self.expression(target)
            root = _root_name(target)
            if root:
                self._assign(root)

    def _load_target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._read(target.id, target.id)
        else:
            self.expression(target)

    # -- expressions ---------------------------------------------------------
    def expression(self, node: ast.expr, local: frozenset[str] = frozenset()) -> None:
        if isinstance(node, ast.NamedExpr):
            self.expression(node.value, local)
            if isinstance(node.target, ast.Name):
                self._assign(node.target.id)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            self._nested(node, local | _scope_bound(node))
            return
        if isinstance(node, (ast.Attribute, ast.Name)):
            path = dotted_name(node)
            if path:
                root = path.split(".")[0]
                if root not in local:
                    self._read(root, path)
                return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expression(child, local)
            elif isinstance(child, ast.comprehension):
                self.expression(child.iter, local)
                for cond in child.ifs:
                    self.expression(cond, local)

    def _nested(self, node: ast.AST, local: frozenset[str]) -> None:
        """A function, lambda or comprehension: names it binds itself are not free."""
        for sub in ast.walk(node):
            if sub is node:
                continue
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in local:
                self._read(sub.id, sub.id)
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                    and sub.value.id not in local and sub.value.id not in self.bound:
                self.paths.add(dotted_name(sub) or sub.value.id)

    def _read(self, name: str, path: str) -> None:
        if name in self.bound or name in BUILTIN_NAMES:
            return
        self.reads.add(name)
        self.paths.add(path)


def _scope_bound(node: ast.AST) -> frozenset[str]:
    """Every name a function/lambda/comprehension binds anywhere inside itself."""
    bound: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.arg):
            bound.add(sub.arg)
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            bound.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub is not node:
            bound.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            bound.add(sub.name)
    return frozenset(bound)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def snippet_reads(code: str) -> set[str]:
    return set(analyze_snippet(code).reads)


def snippet_assigns(code: str) -> list[str]:
    return list(analyze_snippet(code).assigns)
