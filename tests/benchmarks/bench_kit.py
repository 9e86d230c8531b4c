"""Shared by the benchmarks: libraries of distinct simulations, timing a `studio` command
as a user runs it (a fresh process, start-up and exit included) and its peak memory
(the command and every worker process it starts)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from studio.core.project import load_project  # noqa: E402
from studio.core.simulation import Simulation  # noqa: E402

ORDER = re.compile(r"FD-\d{6}")
NUDGES = range(0, 7)


def fresh_project(tmp: Path, sample: str = "food-delivery") -> Path:
    root = tmp / sample
    shutil.copytree(ROOT / "sample_projects" / sample, root,
                    ignore=shutil.ignore_patterns("library.sqlite*", "simulations"))
    (root / "simulations").mkdir()
    return root


def base_simulations(sample: str = "food-delivery") -> tuple[object, list[Simulation]]:
    project = load_project(ROOT / "sample_projects" / sample)
    return project, list(project.simulations.values())


def _nudge(value, k: int):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return type(value)(value + k) if value else value
    if isinstance(value, dict):
        return {key: _nudge(v, k) for key, v in value.items()}
    if isinstance(value, list):
        return [_nudge(v, k) for v in value]
    return value


GREETINGS = ("Hi", "Hello", "Hey", "Good morning", "Good evening", "Hi there", "Hello there",
             "Morning")
NAMES = ("Ana", "Ben", "Chloe", "Dev", "Ema", "Finn", "Gita", "Hugo", "Ines", "Jon", "Kira",
         "Liam", "Maya", "Noor", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Umar",
         "Vera", "Wes", "Xena", "Yusuf", "Zoe", "Arlo", "Bea", "Cyrus", "Dana", "Eli", "Faye",
         "Gus", "Hana", "Ivo", "Jade", "Kofi", "Lena", "Milo", "Nina", "Otto", "Priya",
         "Rafi", "Sara", "Theo", "Uma", "Vik", "Wren", "Yara", "Zack")
SIGN_OFFS = ("", " Thanks.", " Cheers.")
OPENINGS = len(GREETINGS) * len(NAMES) * len(SIGN_OFFS)


def opening(text: str, n: int) -> str:
    """The customer's first message as customer n says it: a greeting, a name and a
    sign-off of their own around it, different for each n below OPENINGS (1,200). Without
    it a scenario's variants opened with the same words, so their first model requests
    were identical (a team's library is not 50 customers saying the same sentence)."""
    greeting = GREETINGS[n % len(GREETINGS)]
    name = NAMES[(n // len(GREETINGS)) % len(NAMES)]
    sign_off = SIGN_OFFS[(n // (len(GREETINGS) * len(NAMES))) % len(SIGN_OFFS)]
    return f"{greeting}, {name} here. {text}{sign_off}"


def variant(sim: Simulation, i: int, k: int, failing: bool = False,
            customer: int | None = None) -> Simulation:
    """Simulation i: its order numbers made unique to i (every occurrence, so fixtures
    and expectations still agree), fixture numbers nudged by k, a failing expectation
    when `failing`; its first message said as customer `customer` says it (opening)."""
    text = json.dumps(sim.to_data())
    for j, number in enumerate(sorted(set(ORDER.findall(text)))):
        text = text.replace(number, f"FD-{i % 10000:04d}{j:02d}")
    data = json.loads(text)
    script = data.get("customer", {}).get("script") or []
    if customer is not None and script:
        first = script[0]
        if isinstance(first, str):
            script[0] = opening(first, customer)
        else:
            first["text"] = opening(first.get("text", ""), customer)
    if k:
        fixtures = data.setdefault("fixtures", {})
        fixtures["connectors"] = _nudge(fixtures.get("connectors", {}), k)
    if failing:
        data["expect"] = dict(data.get("expect") or {}) | {
            "replies_contain": ["a phrase no reply has"]}
    data["name"] = f"{sim.name} #{i}"
    data["tags"] = list(sim.tags) + [f"batch-{i % 10}"]
    return Simulation.model_validate(data)


def distinct_library(count: int, failing: float = 0.02, sample: str = "food-delivery",
                     openings: bool = True) -> tuple[list[Simulation], dict[str, int]]:
    """`count` simulations that are all different conversations (no two specs alike but
    for the name, and no two first messages alike up to OPENINGS of them), each checked
    to keep its verdict: passing, except `failing` of them. `openings=False`: a scenario's
    variants keep its first message (this library before the openings were made distinct)."""
    from studio.simulate.runner import run_simulation
    project, base = base_simulations(sample)
    base = [s for s in base if ORDER.search(json.dumps(s.to_data()))]
    every = round(1 / failing) if failing else 0
    sims, seen, dropped = [], set(), 0
    i = 0
    while len(sims) < count:
        sim = base[i % len(base)]
        fails = bool(every) and len(sims) % every == every - 1
        candidate = variant(sim, i, (i // len(base)) % len(NUDGES), fails,
                            customer=len(sims) if openings else None)
        i += 1
        if run_simulation(project, candidate).status != ("failed" if fails else "passed"):
            dropped += 1          # a nudge that crosses a threshold: not what a team keeps
            continue
        key = json.dumps(candidate.to_data() | {"name": "", "tags": []}, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        sims.append(candidate)
    return sims, {"bases": len(base), "dropped": dropped,
                  "failing": sum("a phrase no reply has" in json.dumps(s.to_data()) for s in sims)}


def copies_library(count: int, sample: str = "food-delivery") -> list[Simulation]:
    """Renamed copies (for memory at 5,000 and 20,000, where distinctness does not matter)."""
    _project, base = base_simulations(sample)
    return [base[i % len(base)].model_copy(update={"name": f"{base[i % len(base)].name} #{i}"})
            for i in range(count)]


def save_library(root: Path, sims: list[Simulation]) -> None:
    from studio.library import Library
    with Library.open(root, sync=False) as lib:
        lib.save_simulations(sims)


def _rss_kb(pid: int) -> int:
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _family(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Timed:
    wall: float
    code: int
    stdout: str
    stderr: str
    peak_main_mb: float          # the studio process itself
    peak_total_mb: float         # it and every worker it started, at the same moment
    cpu_s: float                 # user + system of the studio process and its workers


def user_env(extra: dict | None = None) -> dict:
    """The environment of an installed app: bytecode cached (pip compiles a wheel's modules;
    a checkout writes __pycache__, which git ignores, on first use). A shell or CI that sets
    PYTHONDONTWRITEBYTECODE would make every process compile every module from source
    again: start-up no user sees."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | (extra or {})


def warm_bytecode() -> None:
    """Compile once before timing, as the first start after installing does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "studio")],
                   env=user_env(), check=False, stdout=subprocess.DEVNULL)


def studio(*args: str, sample_memory: bool = True, env: dict | None = None,
           every: float = 0.05) -> Timed:
    """Run `python -m studio ARGS` as a user would and time it end to end; with
    `sample_memory`, the peak memory and CPU of it and its workers, read every `every` s."""
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "studio", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=user_env(env))
    peaks = {"main": 0, "total": 0}
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            family = _family(proc.pid)
            for p in family[1:]:
                cpu[p] = max(cpu.get(p, 0.0), _cpu_s(p))
            sizes = [_rss_kb(p) for p in family]
            peaks["main"] = max(peaks["main"], sizes[0] if sizes else 0)
            peaks["total"] = max(peaks["total"], sum(sizes))
            stop.wait(every)
    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    after = os.times()
    own = (after.children_user - before.children_user) + (after.children_system
                                                          - before.children_system)
    return Timed(wall, proc.returncode, out, err, peaks["main"] / 1024, peaks["total"] / 1024,
                 own + sum(cpu.values()))


def machine_note() -> str:
    load = os.getloadavg()[0]
    cores = os.cpu_count()
    return (f"machine: {cores} cores, load average {load:.1f} at the end"
            + (" (loaded: other work shares these cores, so absolute times are inflated;"
               " compare the ratios)" if load > (cores or 1) * 0.75 else ""))


def row(what: str, now: str, goal: str, met: bool | None) -> str:
    mark = "" if met is None else (" OK" if met else " MISSED")
    return f"| {what} | {now} | {goal} |{mark}"


def print_table(lines: list[str]) -> None:
    """The rows of the issue's table, then what the machine was doing meanwhile."""
    print()
    print("| what | now | goal (DESIGN.md §7) |")
    print("|---|---|---|")
    print("\n".join(lines))
    print(machine_note())
