"""What a code snippet may contain, checked on its syntax tree before it runs.

Kept free of any studio import (and of anything beyond the standard library)
because the sandbox worker (studio/runtime/sandbox_worker.py) loads it by path
in an isolated interpreter; it lives in core so validation reports a snippet
the sandbox would block while the designer types, with the same verdict.
"""

from __future__ import annotations

import ast

ALLOWED_MODULES = ("math", "decimal", "datetime", "re")

#: Names a snippet may not mention at all (most are also missing from its builtins;
#: naming them here turns a confusing NameError into a clear "blocked").
DENIED_NAMES = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr",
    "globals", "locals", "vars", "dir", "input", "breakpoint", "help", "memoryview",
    "type", "super", "object", "classmethod", "staticmethod", "property",
    "exit", "quit", "copyright", "credits", "license", "bytearray",
})

#: Attribute names that lead to interpreter internals without a leading underscore
#: (frames, code objects) or that evaluate attribute paths inside strings (format).
DENIED_ATTRIBUTES = frozenset({
    "format", "format_map",
    "gi_frame", "gi_code", "gi_yieldfrom", "gi_running", "gi_suspended",
    "cr_frame", "cr_code", "cr_await", "cr_origin", "cr_running", "cr_suspended",
    "ag_frame", "ag_code", "ag_await", "ag_running",
    "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "f_trace", "f_lasti",
    "f_lineno",
    "tb_frame", "tb_next", "tb_lasti", "tb_lineno",
    "co_code", "co_consts", "co_names", "co_varnames", "co_filename",
    "func_globals", "func_code", "func_closure", "im_func", "im_self", "im_class",
    "mro", "with_traceback",
})

_FORBIDDEN_NODES = {
    ast.ClassDef: "class definitions are not allowed",
    ast.AsyncFunctionDef: "async code is not allowed",
    ast.AsyncFor: "async code is not allowed",
    ast.AsyncWith: "async code is not allowed",
    ast.Await: "async code is not allowed",
}


class Blocked(Exception):
    """A snippet breaks the policy; the message is shown to the designer."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        suffix = f" (line {line})" if line else ""
        super().__init__(f"blocked: {reason}{suffix}")


def _check_identifier(name: str | None, node: ast.AST, what: str) -> None:
    if not name or name == "_":
        return
    line = getattr(node, "lineno", None)
    if name.startswith("_"):
        raise Blocked(f"{what} starting with '_' are not allowed ('{name}')", line)


def _check_name(name: str, node: ast.AST) -> None:
    _check_identifier(name, node, "names")
    if name in DENIED_NAMES:
        raise Blocked(f"'{name}' is not allowed", getattr(node, "lineno", None))


def _check_attribute(attr: str, node: ast.AST) -> None:
    _check_identifier(attr, node, "attributes")
    if attr in DENIED_ATTRIBUTES:
        hint = " (use an f-string instead)" if attr in ("format", "format_map") else ""
        raise Blocked(f"attribute '{attr}' is not allowed{hint}", getattr(node, "lineno", None))


def _check_import(module: str, node: ast.AST) -> None:
    if module not in ALLOWED_MODULES:
        raise Blocked(
            f"import of '{module}' is not allowed; only {', '.join(ALLOWED_MODULES[:-1])} "
            f"and {ALLOWED_MODULES[-1]} can be imported",
            getattr(node, "lineno", None),
        )


#: decimal's shared contexts are mutable globals: the sandbox hides them (a snippet gets its own).
HIDDEN_NAMES = {"decimal": frozenset({"DefaultContext", "BasicContext", "ExtendedContext"})}


def hidden_attributes(module_name: str) -> frozenset[str]:
    """What the sandbox keeps out of an allowed module (its ModuleProxy hides the same):
    submodules such as re.enum or datetime.sys, C capsules, decimal's shared contexts."""
    if module_name not in _HIDDEN:
        import sys
        import types
        module = sys.modules.get(module_name) or __import__(module_name)   # no importlib in the sandbox
        _HIDDEN[module_name] = HIDDEN_NAMES.get(module_name, frozenset()) | frozenset(
            key for key, value in vars(module).items()
            if not key.startswith("_")
            and (isinstance(value, types.ModuleType) or type(value).__name__ == "PyCapsule"))
    return _HIDDEN[module_name]


_HIDDEN: dict[str, frozenset[str]] = {}


def _check_module_attributes(tree: ast.AST, found: list) -> None:
    """`import re` then `re.enum`: blocked at run time by the module's proxy, so say so
    while the designer types (a bare `except:` around it cannot hide it either)."""
    modules = {(alias.asname or alias.name): alias.name for node in ast.walk(tree)
               if isinstance(node, ast.Import) for alias in node.names if alias.name in ALLOWED_MODULES}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ALLOWED_MODULES and not node.level:
            reached = [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            reached = [(modules[node.value.id], node.attr)]
        else:
            continue
        for module, name in reached:
            if name in hidden_attributes(module):
                found.append((_position(node), Blocked(f"'{module}.{name}' is not available in snippets",
                                                       getattr(node, "lineno", None))))


def check_tree(tree: ast.AST) -> None:
    """Raise Blocked for the construct the sandbox does not allow that comes first in the text."""
    found: list[tuple[int, int, Blocked]] = []
    for node in ast.walk(tree):
        try:
            _check_node(node)
        except Blocked as exc:
            found.append((_position(node), exc))
    _check_module_attributes(tree, found)
    if found:
        raise min(found, key=lambda item: item[0])[1]


def _position(node: ast.AST) -> tuple[int, int]:
    if isinstance(node, ast.Attribute):  # where the attribute name itself is written
        return (node.end_lineno or 0, node.end_col_offset or 0)
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _check_node(node: ast.AST) -> None:
    reason = _FORBIDDEN_NODES.get(type(node))
    if reason:
        raise Blocked(reason, getattr(node, "lineno", None))
    if isinstance(node, ast.Name):
        _check_name(node.id, node)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node.attr, node)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            _check_import(alias.name, node)
            _check_name(alias.asname or alias.name, node)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            raise Blocked("relative imports are not allowed", node.lineno)
        _check_import(node.module or "", node)
        for alias in node.names:
            if alias.name == "*":
                raise Blocked("'import *' is not allowed", node.lineno)
            _check_attribute(alias.name, node)
            _check_name(alias.asname or alias.name, node)
    elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
        if isinstance(node, ast.FunctionDef):
            _check_name(node.name, node)
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                _check_name(arg.arg, node)
    elif isinstance(node, ast.keyword):
        _check_identifier(node.arg, node, "keyword arguments")
    elif isinstance(node, ast.ExceptHandler):
        if node.name:
            _check_name(node.name, node)
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        for name in node.names:
            _check_name(name, node)
    elif isinstance(node, ast.MatchClass):
        for attr in node.kwd_attrs:
            _check_attribute(attr, node)
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)):
        if node.name:
            _check_name(node.name, node)
    elif isinstance(node, ast.MatchMapping):
        if node.rest:
            _check_name(node.rest, node)


def top_level_assignments(tree: ast.Module) -> set[str]:
    """Names bound at module level (imports aside), so a reassigned input is reported even if equal."""
    names: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef) and not in_function:
                names.add(node.name)
            for child in ast.iter_child_nodes(node):
                visit(child, True)
            return
        if isinstance(node, ast.comprehension):
            # Comprehension variables live in their own scope; only walrus targets leak.
            for child in ast.iter_child_nodes(node):
                if child is not node.target:
                    visit(child, in_function)
            return
        if isinstance(node, ast.Global):
            names.update(node.names)
        elif not in_function:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                names.add(node.name)
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return names


def imported_names(tree: ast.Module) -> set[str]:
    """Names bound by import statements: tools, never returned as variables."""
    return {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
