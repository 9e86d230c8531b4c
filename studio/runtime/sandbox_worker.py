"""The long-lived process that runs code snippets (started by sandbox.py).

Run by path as ``python -I -S sandbox_worker.py MEMORY_MB``: it imports only the
standard library, locks itself down (memory, files, processes, CPU), then
answers one JSON line on stdout for each JSON line request on stdin:
``{"code", "variables", "timeout"}`` -> ``{"status", "assigned", "error",
"printed", "recycle"}``. Snippets are checked by sandbox_policy before they
run, with only a whitelist of builtins and read-only proxies of the allowed
modules. The parent enforces wall-clock timeouts by killing this process.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import json
import math
import os
import re
import sys
import types

# the policy is stdlib-only and shared with validation: loaded by path from studio/core
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "core"))
try:
    from snippet_policy import (ALLOWED_MODULES, HIDDEN_NAMES, Blocked, check_tree, imported_names,
                                top_level_assignments)
    from snippet_binding import BOUND, instrument
finally:
    del sys.path[0]

MAX_CODE_CHARS = 50_000
MAX_PRINTED_CHARS = 10_000
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
RECYCLE_AFTER_CPU_SECONDS = 300.0
FILENAME = "<snippet>"


class SnippetBlocked(BaseException):
    """Raised at run time when a snippet reaches for something hidden from it.

    A BaseException so a snippet's ``except Exception`` cannot swallow it; a bare
    ``except:`` still could, so each one is also recorded in ``raised`` and the run
    is reported blocked all the same.
    """

    raised: list = []

    def __init__(self, *args) -> None:
        super().__init__(*args)
        SnippetBlocked.raised.append(self)


# ---------------------------------------------------------------- values in


class AttrDict(dict):
    """A dict whose keys read like attributes (``order.total``); keys win over methods.

    A missing field reads as None, as in procedure expressions, so
    ``txn.expected_amount is not None`` works when a connector left it out.
    """

    __slots__ = ()

    def __getattribute__(self, name):
        if not name.startswith("_") and dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        try:
            return object.__getattribute__(self, name)
        except AttributeError:
            if name.startswith("_"):
                raise
            return None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"no field '{name}'") from None


def wrap(value):
    if isinstance(value, dict):
        return AttrDict((k, wrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


# ---------------------------------------------------------------- values out


class Unconvertible(Exception):
    pass


_LAZY_SEQUENCES = (map, filter, zip, enumerate, reversed, range, types.GeneratorType)


def is_helper(value) -> bool:
    """Values that are tools rather than data (modules, functions, patterns): not returned."""
    return callable(value) or isinstance(value, (ModuleProxy, re.Pattern, re.Match))


def to_json(value, where: str):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unconvertible(f"{where}: {value} is not a number that can be stored")
        return value
    if isinstance(value, decimal.Decimal):
        return to_json(float(value), where)
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        out = {}
        for key, item in dict.items(value):  # not value.items: a field may be named "items"
            if isinstance(key, (datetime.date, datetime.time)):
                key = key.isoformat()
            elif key is None or isinstance(key, (bool, int, float, decimal.Decimal)):
                key = json.dumps(to_json(key, where))
            elif not isinstance(key, str):
                raise Unconvertible(f"{where}: a key of type {type(key).__name__}; keys must be text")
            out[key] = to_json(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (set, frozenset)):
        items = [to_json(v, where) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple, *_LAZY_SEQUENCES)):
        return [to_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise Unconvertible(
        f"{where}: a {type(value).__name__} value cannot be stored as a variable "
        "(convert it with str(), float() or list())"
    )


# ---------------------------------------------------------------- the snippet's world


class ModuleProxy:
    """Read-only view of an allowed module: public, non-module attributes only."""

    __slots__ = ("_name", "_public", "_hidden")

    def __init__(self, module: types.ModuleType, exclude: frozenset[str] = frozenset()):
        public = {
            key: value
            for key, value in vars(module).items()
            if not key.startswith("_")
            and key not in exclude
            and not isinstance(value, types.ModuleType)
            and type(value).__name__ != "PyCapsule"
        }
        object.__setattr__(self, "_name", module.__name__)
        object.__setattr__(self, "_public", public)
        object.__setattr__(self, "_hidden", frozenset(vars(module)) - set(public))

    def __getattr__(self, name):
        try:
            return object.__getattribute__(self, "_public")[name]
        except KeyError:
            module = object.__getattribute__(self, "_name")
            if name in object.__getattribute__(self, "_hidden"):
                raise SnippetBlocked(f"'{module}.{name}' is not available in snippets") from None
            raise AttributeError(f"module '{module}' has no attribute '{name}'") from None

    def __setattr__(self, name, value):
        raise AttributeError("modules cannot be changed in a snippet")

    __delattr__ = __setattr__

    def __repr__(self):
        return f"<module '{object.__getattribute__(self, '_name')}'>"


MODULES = {
    "math": ModuleProxy(math),
    # The shared contexts are mutable globals; a snippet gets its own context instead.
    "decimal": ModuleProxy(decimal, HIDDEN_NAMES["decimal"]),
    "datetime": ModuleProxy(datetime),
    "re": ModuleProxy(re),
}
assert set(MODULES) == set(ALLOWED_MODULES)


# C code inside an allowed module imports its own helpers through the snippet's __import__
# (Python 3.13's datetime.strptime imports _strptime each call). The AST policy stops a
# snippet from naming these itself; they are handed over proxied, like the allowed ones.
INTERNAL_HELPERS = ("_strptime",)


def safe_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name in MODULES:
        return MODULES[name]
    if level == 0 and name in INTERNAL_HELPERS and name in sys.modules:
        return ModuleProxy(sys.modules[name])
    raise SnippetBlocked(f"import of '{name}' is not allowed")


SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "callable", "chr", "dict", "divmod", "enumerate", "filter",
    "float", "format", "frozenset", "int", "isinstance", "iter", "len", "list", "map", "max",
    "min", "next", "ord", "pow", "range", "repr", "reversed", "round", "set", "slice",
    "sorted", "str", "sum", "tuple", "zip", "bin", "hex", "oct", "hash", "issubclass",
    "ArithmeticError", "AssertionError", "AttributeError", "Exception", "IndexError",
    "KeyError", "LookupError", "NameError", "OverflowError", "RuntimeError",
    "StopIteration", "TypeError", "ValueError", "ZeroDivisionError",
)


def make_builtins(printed: list[str]) -> dict:
    import builtins

    safe = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
    safe["__import__"] = safe_import

    def print_(*args, sep=" ", end="\n", **_ignored):
        room = MAX_PRINTED_CHARS - sum(map(len, printed))
        if room > 0:
            printed.append((str(sep).join(str(a) for a in args) + str(end))[:room])

    safe["print"] = print_
    return safe


# ---------------------------------------------------------------- running

_compiled: dict[str, tuple] = {}


def prepare(code: str):
    """Check and compile once per distinct snippet text (run-all repeats the same ones)."""
    cached = _compiled.get(code)
    if cached is None:
        if len(code) > MAX_CODE_CHARS:
            raise Blocked(f"the snippet is longer than {MAX_CODE_CHARS} characters")
        tree = ast.parse(code, FILENAME, "exec")
        check_tree(tree)
        rebound = frozenset(top_level_assignments(tree))
        tools = frozenset(imported_names(tree)) - rebound
        cached = (compile(instrument(tree), FILENAME, "exec"), rebound, tools)
        if len(_compiled) > 512:
            _compiled.clear()
        _compiled[code] = cached
    return cached


def snippet_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def describe(exc: BaseException) -> str:
    line = snippet_line(exc)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"line {line}: {text}" if line else text


def memory_blocked(memory_mb: int, line: int | None) -> str:
    """A memory bomb is stopped by the worker's memory limit: reported as blocked."""
    where = f" (line {line})" if line else ""
    return f"blocked: memory limit exceeded: the snippet needed more than {memory_mb} MB{where}"


def run_snippet(code: str, variables: dict, memory_mb: int) -> dict:
    try:
        compiled, rebound, tools = prepare(code)
    except Blocked as exc:
        return {"status": "blocked", "error": str(exc)}
    except SyntaxError as exc:
        where = f"line {exc.lineno}: " if exc.lineno else ""
        return {"status": "error", "error": f"{where}{type(exc).__name__}: {exc.msg}"}
    except ValueError as exc:  # e.g. a NUL character in the text
        return {"status": "error", "error": f"SyntaxError: {exc}"}
    except (MemoryError, RecursionError):
        return {"status": "blocked", "error": "blocked: the snippet is nested too deeply"}

    printed: list[str] = []
    scope = {name: wrap(value) for name, value in variables.items()}
    scope["__builtins__"] = make_builtins(printed)
    scope[BOUND] = bound = set()        # filled by snippet_binding's markers as the run binds
    decimal.setcontext(decimal.Context())
    response: dict = {"status": "ok"}
    SnippetBlocked.raised.clear()
    try:
        exec(compiled, scope)
    except MemoryError as exc:
        scope.clear()
        line = snippet_line(exc)
        return {
            "status": "blocked",
            "error": memory_blocked(memory_mb, line),
            "printed": "".join(printed),
            "recycle": True,
        }
    except SnippetBlocked as exc:
        line = snippet_line(exc)
        response = {"status": "blocked", "error": f"blocked: {exc}" + (f" (line {line})" if line else "")}
    except BaseException as exc:  # the snippet's own failure, reported to the designer
        response = {"status": "error", "error": describe(exc)}
    if SnippetBlocked.raised and response["status"] != "blocked":    # swallowed by a bare except:
        first = SnippetBlocked.raised[0]
        line = snippet_line(first)
        response = {"status": "blocked", "error": f"blocked: {first}" + (f" (line {line})" if line else "")}

    scope.pop(BOUND, None)
    if response["status"] == "ok":
        assigned = {}
        try:
            for name, value in scope.items():
                if name == "__builtins__" or name in tools or is_helper(value):
                    continue
                converted = to_json(value, f"'{name}'")
                # only what this run bound, created or changed: an assignment in a
                # branch that did not run is no new variable (DESIGN.md section 4)
                if name in bound or name not in variables or converted != variables[name]:
                    assigned[name] = converted
            response["assigned"] = assigned
        except Unconvertible as exc:
            response = {"status": "error", "error": f"cannot return {exc}"}
        except RecursionError:
            response = {"status": "error", "error": "a value the snippet assigned is nested too deeply"}
    response["printed"] = "".join(printed)
    return response


# ---------------------------------------------------------------- process setup


def lock_down(memory_mb: int) -> None:
    """Defence in depth; each limit is best effort so the worker still runs where one is refused."""
    import signal

    import warnings

    warnings.simplefilter("ignore")  # nothing may write to stderr or read source files
    # Pre-import what runs lazily later, while files can still be opened:
    datetime.datetime.strptime("2024-01-01", "%Y-%m-%d")  # _strptime
    compile("\uff45 = 1", FILENAME, "exec")  # unicodedata, for non-ASCII identifiers
    os.chdir("/")
    try:
        import resource
    except ImportError:  # not POSIX: only the policy and the parent's timeout apply
        return

    def limit(kind: str, soft: int, hard: int | None = None) -> None:
        try:
            resource.setrlimit(getattr(resource, kind), (soft, soft if hard is None else hard))
        except (AttributeError, ValueError, OSError):
            pass

    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write then fails instead of killing us
    limit("RLIMIT_AS", memory_mb * 1024 * 1024)
    limit("RLIMIT_FSIZE", 0)
    limit("RLIMIT_CORE", 0)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        try:  # running as root: drop to nobody so NPROC applies and nothing is writable
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        except OSError:
            pass
    limit("RLIMIT_NPROC", 0)
    open_fds = [int(fd) for fd in os.listdir("/proc/self/fd")] if os.path.isdir("/proc/self/fd") else [8]
    limit("RLIMIT_NOFILE", max(open_fds) + 1)


def set_cpu_backstop(timeout: float) -> float:
    """Kill this process (SIGXCPU) if the parent's wall-clock kill ever fails to come.

    Returns the CPU seconds used so far, so a long-lived worker can recycle itself.
    """
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        soft = int(used + timeout) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
        return used
    except (ImportError, ValueError, OSError):
        return 0.0


def main() -> None:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 512
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing but the protocol reaches the parent's pipe
    os.close(devnull)
    sys.stdout = open(os.devnull, "w")
    lock_down(memory_mb)

    def send(message: dict | str) -> None:
        if isinstance(message, dict):
            message = json.dumps(message, ensure_ascii=False, allow_nan=False)
        data = message.encode("utf-8") + b"\n"
        while data:
            written = os.write(out_fd, data)
            data = data[written:]

    send({"ready": True, "pid": os.getpid()})
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            return
        try:
            request = json.loads(line)
            used = set_cpu_backstop(float(request.get("timeout", 2.0)))
            response = run_snippet(request["code"], request.get("variables") or {}, memory_mb)
            if used and used > RECYCLE_AFTER_CPU_SECONDS:
                response["recycle"] = True
        except MemoryError:
            response = {"status": "blocked", "error": memory_blocked(memory_mb, None), "recycle": True}
        except Exception as exc:  # a bug here must not take the protocol down
            response = {"status": "error", "error": f"sandbox internal error: {type(exc).__name__}: {exc}"}
        try:
            data = json.dumps(response, ensure_ascii=False, allow_nan=False)
        except (ValueError, MemoryError, RecursionError) as exc:
            response = {"status": "error", "error": f"cannot return the assigned values: {exc}", "recycle": True}
            data = None
        if data is not None and len(data) > MAX_RESPONSE_BYTES:
            response = {"status": "error", "error": "the values the snippet assigned are too large (over 8 MB)"}
            data = None
        send(data if data is not None else response)
        if response.get("recycle"):
            return


if __name__ == "__main__":
    main()
