"""Hostile snippets end as a clear "blocked" or "timeout", and the sandbox keeps working."""

import datetime

import pytest

from studio.runtime.sandbox import Sandbox

QUICK = 0.5  # seconds: keeps the infinite-loop cases fast

BLOCKED = [
    ("dunder walk to subclasses", "x = ().__class__.__bases__[0].__subclasses__()", "'__class__'"),
    (
        "dunder walk to os via catch_warnings",
        "w = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'catch_warnings'][0]\n"
        "os = w()._module.__builtins__['__import__']('os')",
        "'__class__'",
    ),
    ("__import__ call", "__import__('os').system('id')", "'__import__'"),
    ("import os", "import os\nos.system('id')", "import of 'os'"),
    ("import os.path", "import os.path", "import of 'os.path'"),
    ("from os import system", "from os import system\nsystem('id')", "import of 'os'"),
    ("import subprocess", "import subprocess\nsubprocess.run(['id'])", "import of 'subprocess'"),
    ("import socket", "import socket\nsocket.create_connection(('127.0.0.1', 80))", "import of 'socket'"),
    ("urllib network", "from urllib import request\nrequest.urlopen('http://127.0.0.1')", "import of 'urllib'"),
    ("fork via os", "import os\npid = os.fork()", "import of 'os'"),
    ("fork via multiprocessing", "import multiprocessing\nmultiprocessing.Process().start()", "import of 'multiprocessing'"),
    ("open a file", "data = open('/etc/passwd').read()", "'open'"),
    ("write a file", "with open('/tmp/sandbox-escape', 'w') as f:\n    f.write('x')", "'open'"),
    ("print a file", "print(*open('/etc/passwd'))", "'open'"),
    ("eval", "x = eval('1 + 1')", "'eval'"),
    ("exec", "exec('import os')", "'exec'"),
    ("fullwidth eval (NFKC)", "x = \uff45val('1')", "'eval'"),
    ("compile", "c = compile('1', 'x', 'eval')", "'compile'"),
    ("getattr dunder", "c = getattr(order, '__class__')", "'getattr'"),
    ("format attribute walk", "s = '{0.__class__.__init__.__globals__}'.format(order)", "'format'"),
    ("format_map attribute walk", "s = '{x.__class__}'.format_map({'x': order})", "'format_map'"),
    ("str.format unbound", "s = str.format('{0.__class__}', order)", "'format'"),
    ("f-string dunder", "s = f'{order.__class__}'", "'__class__'"),
    ("generator frame globals", "g = (i for i in [])\nx = g.gi_frame.f_globals", "'gi_frame'"),
    ("generator code", "def f():\n    yield 1\nc = f().gi_code", "'gi_code'"),
    ("lambda code object", "c = (lambda: 0).__code__", "'__code__'"),
    ("traceback frame", "try:\n    1 / 0\nexcept Exception as e:\n    t = e.__traceback__.tb_frame", "'__traceback__'"),
    ("globals()", "g = globals()", "'globals'"),
    ("vars()", "v = vars()", "'vars'"),
    ("locals() builtins", "b = locals()['__builtins__']", "'locals'"),
    ("dir()", "d = dir()", "'dir'"),
    ("__builtins__ name", "o = __builtins__['open']", "'__builtins__'"),
    ("breakpoint()", "breakpoint()", "'breakpoint'"),
    ("type with three args", "X = type('X', (), {})", "'type'"),
    ("class definition", "class X:\n    pass", "class definitions"),
    ("async code", "async def f():\n    pass", "async"),
    ("match class attribute", "match order:\n    case dict(__class__=c):\n        pass", "'__class__'"),
    ("memoryview", "m = memoryview(b'abc')", "'memoryview'"),
    ("datetime.sys", "import datetime\nmods = datetime.sys.modules", "'datetime.sys'"),
    ("from datetime import sys", "from datetime import sys", "'datetime.sys'"),
    ("re.enum", "import re\ne = re.enum", "'re.enum'"),
    ("re._compile", "import re\np = re._compile('a', 0)", "'_compile'"),
    ("math.__loader__", "import math\nl = math.__loader__", "'__loader__'"),
    ("decimal shared context", "import decimal\ndecimal.DefaultContext.prec = 1", "'decimal.DefaultContext'"),
    ("relative import", "from . import sandbox", "relative imports"),
    ("star import", "from math import *", "'import *'"),
    ("deeply nested expression (compiler stack)", "x = " + "-" * 40000 + "1", "nested too deeply"),
    ("oversized snippet", "x = 1\n" * 10000, "longer than"),
]

TIMEOUTS = [
    ("infinite loop", "while True:\n    pass"),
    ("huge power", "x = 10 ** 10 ** 10"),
    ("catastrophic regex", "import re\nm = re.match(r'(a+)+$', 'a' * 64 + 'b')"),
]

MEMORY = [
    ("string bomb", "x = 'a' * 10 ** 10"),
    ("list bomb", "x = [0] * 10 ** 10"),
]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def still_works(sandbox: Sandbox) -> None:
    result = sandbox.run("y = x + 1", {"x": 41})
    assert result.status == "ok", result.error
    assert result.assigned == {"y": 42}


@pytest.mark.parametrize("code, reason", [case[1:] for case in BLOCKED], ids=[case[0] for case in BLOCKED])
def test_hostile_snippet_is_blocked(sandbox, code, reason):
    if reason == "'datetime.sys'" and not hasattr(datetime, "sys"):
        pytest.skip("Python 3.13's datetime has no `sys` attribute: that route does not exist")
    still_works(sandbox)
    before = sandbox.worker_pids()
    result = sandbox.run(code, {"order": {"total": 10}}, timeout=QUICK)
    assert result.status == "blocked", result
    assert result.error.startswith("blocked: ")
    assert reason in result.error
    assert result.assigned == {}
    still_works(sandbox)
    assert sandbox.worker_pids() == before      # the same worker survived it


@pytest.mark.parametrize("code", [case[1] for case in TIMEOUTS], ids=[case[0] for case in TIMEOUTS])
def test_runaway_snippet_times_out_and_worker_restarts(sandbox, code):
    before = sandbox.worker_pids()
    result = sandbox.run(code, {}, timeout=QUICK)
    assert result.status == "timeout"
    assert result.error == "timed out after 0.5 s"
    still_works(sandbox)
    assert sandbox.worker_pids() != before  # killed and replaced


@pytest.mark.parametrize("code", [case[1] for case in MEMORY], ids=[case[0] for case in MEMORY])
def test_memory_bomb_is_blocked_by_the_memory_limit(sandbox, code):
    result = sandbox.run(code, {}, timeout=5)
    assert result.status == "blocked"
    assert result.error == "blocked: memory limit exceeded: the snippet needed more than 512 MB (line 1)"
    assert result.assigned == {}
    still_works(sandbox)


def test_growing_memory_bomb_is_blocked_or_times_out(sandbox):
    result = sandbox.run("x = []\nwhile True:\n    x.append('a' * 10 ** 6)", {}, timeout=QUICK)
    assert result.status in ("blocked", "timeout")
    if result.status == "blocked":
        assert "memory limit exceeded" in result.error
    still_works(sandbox)


def test_caught_block_cannot_be_swallowed(sandbox):
    code = "try:\n    import re\n    s = re.enum\nexcept Exception:\n    s = 'swallowed'"
    result = sandbox.run(code, {})
    assert result.status == "blocked"
    assert result.assigned == {}


def test_no_file_is_written(sandbox, tmp_path):
    target = tmp_path / "escape.txt"
    result = sandbox.run(f"with open({str(target)!r}, 'w') as f:\n    f.write('x')", {})
    assert result.status == "blocked"
    assert not target.exists()


def test_hostile_suite_is_large_enough():
    assert len(BLOCKED) + len(TIMEOUTS) + len(MEMORY) >= 25
