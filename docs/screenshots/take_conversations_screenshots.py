"""Screenshots of the Conversations screen on generated production traffic.

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/screenshots/take_conversations_screenshots.py

A fresh copy of the food-delivery sample gets 400 generated conversations (a few that
production handled differently from today's procedures), replayed; then writes
conversations-list.png and conversations-charts.png (1600x1000),
conversations-1280.png (1280x800) and conversations-window.png (the main window with
the Conversations dock) next to this file.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))
os.environ["STUDIO_HOME"] = tempfile.mkdtemp(prefix="studio-shots-")

from take_screenshots import until, wait  # noqa: E402


def generate(root: Path) -> Path:
    from conversation_kit import scenario, with_production
    from studio.core.project import load_project
    project = load_project(root)
    lines = []
    for i in range(400):
        conv = with_production(project, scenario(i))
        if i % 37 == 4 and conv["outcome"] == "resolved":
            conv["outcome"] = "handoff"
            conv["messages"].append({"role": "human", "text": "Hi, Sam from support here."})
        if i % 41 == 9 and conv["procedure"]:
            last = max(n for n, m in enumerate(conv["messages"]) if m["role"] == "agent")
            conv["messages"][last]["text"] += " I've also added £7.50 credit."
        conv.pop("meta")
        lines.append(json.dumps(conv))
    data = root.parent / "production.jsonl"
    data.write_text("\n".join(lines) + "\n")
    return data


def main() -> None:
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv)
    work = Path(tempfile.mkdtemp(prefix="conv-shots-"))
    root = work / "food-delivery"
    shutil.copytree(ROOT / "sample_projects" / "food-delivery", root,
                    ignore=shutil.ignore_patterns("library.sqlite*"))
    data = generate(root)
    from studio.cli import main as studio
    studio(["conversations", "import", str(root), str(data), "-q"])
    studio(["conversations", "replay", str(root), "-q"])

    from test_ui_support import ScriptedPrompts
    from studio.ui.main_window import MainWindow
    win = MainWindow(ScriptedPrompts(confirm=True, save_discard_cancel="discard"))
    win.controller.open(root)
    win.resize(1600, 1000)
    win.show()
    wait(800)
    host = win.conversations_host
    host.show()
    until(lambda: host.screen is not None)
    screen = host.screen
    until(lambda: screen.model.rowCount() > 0)
    wait(500)
    win.grab().save(str(HERE / "conversations-window.png"))

    screen.setParent(None)
    screen.resize(1600, 1000)
    screen.show()
    screen.diverged.setCurrentIndex(1)
    until(lambda: 0 < screen.model.rowCount() < 400)
    wait(300)
    screen.table.selectRow(0)
    until(lambda: "turn" in screen.pair.today.toPlainText())
    wait(500)
    screen.grab().save(str(HERE / "conversations-list.png"))
    screen.resize(1280, 800)
    wait(500)
    screen.grab().save(str(HERE / "conversations-1280.png"))
    screen.resize(1600, 1000)
    screen.diverged.setCurrentIndex(0)
    screen.tabs.setCurrentIndex(1)
    wait(800)
    screen.grab().save(str(HERE / "conversations-charts.png"))
    screen.dispose()
    win.controller.close(ask=False)
    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("conversations-*.png"))))


if __name__ == "__main__":
    main()
