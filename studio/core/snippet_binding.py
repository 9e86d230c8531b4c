"""Which names a snippet's run actually bound (DESIGN.md section 4, edge rules).

A code step's new variables are the names its run bound, not every assignment
target in its text: in `if vip: account_id = ...` / `else: note = ...`, only
the branch that ran binds. The sandbox worker compiles the snippet after
`instrument()` has put, after each statement that binds top-level names (and
at the start of each block entered with new names), a call that records them
in a set named BOUND. Snippet code cannot reach that set: names starting with
'_' are blocked by snippet_policy.

Standard library only: the sandbox worker loads this file by path.
"""
from __future__ import annotations

import ast

BOUND = "__studio_bound__"

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _stored(node: ast.AST | None) -> list[str]:
    """Top-level names bound by evaluating `node` (walrus targets included,
    nothing inside nested functions; comprehension variables are their own scope)."""
    names: list[str] = []

    def visit(item: ast.AST) -> None:
        if isinstance(item, _SCOPES):
            return
        if isinstance(item, ast.Name) and isinstance(item.ctx, ast.Store):
            names.append(item.id)
        elif isinstance(item, ast.NamedExpr) and isinstance(item.target, ast.Name):
            names.append(item.target.id)
        elif isinstance(item, (ast.MatchAs, ast.MatchStar)) and item.name:
            names.append(item.name)
        elif isinstance(item, ast.MatchMapping) and item.rest:
            names.append(item.rest)
        if isinstance(item, _COMPREHENSIONS):
            for generator in item.generators:      # only walrus targets leak out
                for child in (generator.iter, *generator.ifs):
                    visit(child)
            for child in (getattr(item, "elt", None), getattr(item, "key", None),
                          getattr(item, "value", None)):
                if child is not None:
                    visit(child)
            return
        for child in ast.iter_child_nodes(item):
            visit(child)

    if node is not None:
        visit(node)
    return list(dict.fromkeys(names))


def _marker(names: list[str], where: ast.AST) -> ast.stmt:
    call = ast.Expr(ast.Call(
        func=ast.Attribute(value=ast.Name(BOUND, ast.Load()), attr="update", ctx=ast.Load()),
        args=[ast.Tuple([ast.Constant(n) for n in names], ast.Load())], keywords=[]))
    return ast.copy_location(call, where)


def _block(statements: list[ast.stmt], entered: list[str] | None = None,
           where: ast.AST | None = None) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    if entered and where is not None:
        out.append(_marker(entered, where))
    for statement in statements:
        out.extend(_statement(statement))
    return out


def _statement(node: ast.stmt) -> list[ast.stmt]:
    if isinstance(node, (ast.If, ast.While)):
        header = _stored(node.test)
        node.body = _block(node.body, header, node)
        node.orelse = _block(node.orelse, header, node) if node.orelse or header else []
        return [node]
    if isinstance(node, ast.For):
        node.body = _block(node.body, _stored(node.target) + _stored(node.iter), node)
        node.orelse = _block(node.orelse)
        return [node]
    if isinstance(node, ast.With):
        names = [n for item in node.items for n in _stored(item.optional_vars) + _stored(item.context_expr)]
        node.body = _block(node.body, names, node)
        return [node]
    if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
        node.body = _block(node.body)
        for handler in node.handlers:
            handler.body = _block(handler.body)
        node.orelse = _block(node.orelse)
        node.finalbody = _block(node.finalbody)
        return [node]
    if isinstance(node, ast.Match):
        subject = _stored(node.subject)
        for case in node.cases:
            case.body = _block(case.body, subject + _stored(case.pattern) + _stored(case.guard), case)
        return [node]
    if isinstance(node, (ast.Import, ast.ImportFrom, *_SCOPES)):
        return [node]                  # tools and helpers, never variables
    if isinstance(node, ast.AnnAssign) and node.value is None:
        return [node]                  # `x: int` alone binds nothing
    names = _stored(node)
    return [node, _marker(names, node)] if names else [node]


def instrument(tree: ast.Module) -> ast.Module:
    """`tree` with the binding markers in place (modified in place and returned)."""
    tree.body = _block(tree.body)
    return ast.fix_missing_locations(tree)
