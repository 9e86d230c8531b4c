"""The worker process: shared instance, threads, restarts, limits, policy verdicts."""

import ast
import os
import signal
import threading
import time

import pytest

from studio.runtime.sandbox import Sandbox, shared_sandbox
from studio.core.snippet_policy import Blocked, check_tree, imported_names, top_level_assignments


def test_shared_sandbox_is_one_instance_and_works():
    box = shared_sandbox()
    assert shared_sandbox() is box
    result = box.run("y = x * 2", {"x": 21})
    assert (result.status, result.assigned) == ("ok", {"y": 42})


@pytest.mark.parametrize("max_workers", [1, 2])
def test_threads_get_their_own_results(max_workers):
    errors: list[str] = []
    with Sandbox(max_workers=max_workers) as box:
        def work(thread: int) -> None:
            for i in range(25):
                value = thread * 1000 + i
                result = box.run("y = x * 2\nname = tag", {"x": value, "tag": f"t{thread}"})
                if result.assigned != {"y": value * 2, "name": f"t{thread}"}:
                    errors.append(f"{thread}/{i}: {result}")

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(box.worker_pids()) <= max_workers
    assert errors == []


def test_killed_worker_is_restarted():
    with Sandbox() as box:
        assert box.run("x = 1", {}).status == "ok"
        [pid] = box.worker_pids()
        os.kill(pid, signal.SIGKILL)
        result = box.run("x = 2", {})
        assert (result.status, result.assigned) == ("ok", {"x": 2})
        assert box.worker_pids() and box.worker_pids() != [pid]


def test_timed_out_worker_is_gone():
    with Sandbox() as box:
        box.run("x = 1", {})
        [pid] = box.worker_pids()
        assert box.run("while True:\n    pass", {}, timeout=0.3).status == "timeout"
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_slow_snippet_does_not_block_other_threads_with_two_workers():
    with Sandbox(max_workers=2) as box:
        box.run("x = 1", {})
        slow = threading.Thread(target=box.run, args=("while True:\n    pass", {}), kwargs={"timeout": 1.5})
        slow.start()
        time.sleep(0.1)
        result = box.run("y = 1", {})
        assert result.status == "ok"
        assert slow.is_alive()  # answered while the other worker was still busy
        slow.join()


def test_close_stops_workers_and_a_later_run_starts_again():
    box = Sandbox()
    box.run("x = 1", {})
    [pid] = box.worker_pids()
    box.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert box.run("x = 2", {}).assigned == {"x": 2}
    box.close()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_worker_runs_under_resource_limits():
    with Sandbox(memory_mb=256) as box:
        box.run("x = 1", {})
        [pid] = box.worker_pids()
        with open(f"/proc/{pid}/limits") as handle:
            limits = {line[:26].strip(): line[26:].split() for line in handle if line[:26].strip()}
        assert limits["Max address space"][0] == str(256 * 1024 * 1024)
        assert limits["Max file size"][0] == "0"
        assert int(limits["Max open files"][0]) < 16
        assert limits["Max cpu time"][0] != "unlimited"
        bomb = box.run("x = 'a' * 400_000_000", {})
        assert bomb.status == "blocked" and "needed more than 256 MB" in bomb.error


def test_inputs_that_are_not_json_are_an_error_not_an_exception():
    with Sandbox() as box:
        loop: dict = {}
        loop["self"] = loop
        result = box.run("x = 1", {"loop": loop})
        assert result.status == "error"
        assert "not JSON" in result.error


def verdict(code: str) -> str | None:
    try:
        check_tree(ast.parse(code))
    except Blocked as exc:
        return str(exc)
    return None


def test_policy_allows_ordinary_code_and_the_underscore_name():
    assert verdict("for _ in range(3):\n    total = sum(x for x in [1, 2])") is None
    assert verdict("import math, re\nfrom datetime import date") is None


def test_policy_messages_name_the_line():
    assert verdict("x = 1\nimport os") == (
        "blocked: import of 'os' is not allowed; only math, decimal, datetime and re can be imported (line 2)"
    )
    assert verdict("x = eval('1')") == "blocked: 'eval' is not allowed (line 1)"


def test_top_level_assignments():
    tree = ast.parse(
        "a = 1\nfor b in []: pass\ndef f(c):\n    d = c\n    global e\n    e = d\n"
        "g = [h for h in []]\nk = [(m := 1) for n in []]\nimport math as mm"
    )
    assert top_level_assignments(tree) == {"a", "b", "f", "e", "g", "k", "m"}
    assert imported_names(ast.parse("import math as mm, re\nfrom decimal import Decimal")) == {"mm", "re", "Decimal"}
