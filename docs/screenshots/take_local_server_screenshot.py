"""Screenshot of Project → Settings… → Model with a local server and Test connection done.

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/screenshots/take_local_server_screenshot.py [--api-base URL]

With --api-base (e.g. llama-cpp-python's server serving SmolLM2 as `smollm2`), the
connection is tested against that server; without it, against the test suite's fake
llama-cpp-python server (json_schema refused with a 500, json_object with the schema
constrained). Writes settings-local-server.png next to this file. Settings live in a
throw-away STUDIO_HOME.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))
os.environ["STUDIO_HOME"] = tempfile.mkdtemp(prefix="studio-shots-")
os.environ["PROCEDURE_STUDIO_CONFIG_DIR"] = tempfile.mkdtemp(prefix="studio-shots-config-")

from take_screenshots import until, wait  # noqa: E402


def fake_llama_cpp():
    """The test suite's llama-cpp-python, answering the connection probe's schema."""
    from fake_openai import FakeOpenAI
    from test_llm_local_servers import llama_cpp_python

    def responder(body):
        reply = llama_cpp_python(body)
        if not body.get("response_format"):
            return "ok"
        return '{"ok": true}' if isinstance(reply, str) and reply.startswith("{") else reply
    return FakeOpenAI(responder=responder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-base", help="a running OpenAI-compatible server")
    parser.add_argument("--model", default="openai/smollm2")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv)  # noqa: F841
    from studio.ui.dialogs.model_page import LOCAL, LOCAL_SERVERS
    from studio.ui.main_window import MainWindow
    from test_ui_support import ScriptedPrompts
    work = Path(tempfile.mkdtemp(prefix="local-shots-"))
    root = work / "food-delivery"
    shutil.copytree(ROOT / "sample_projects" / "food-delivery", root,
                    ignore=shutil.ignore_patterns("library.sqlite*"))
    win = MainWindow(ScriptedPrompts())
    win.controller.open(root)
    win.resize(1280, 800)
    win.show()
    wait(500)
    with (nullcontext(None) if args.api_base else fake_llama_cpp()) as fake:
        dialog = win.show_project_settings()
        dialog.tabs.setCurrentWidget(dialog.model)
        model = dialog.model
        model.engine.setCurrentIndex(LOCAL)
        server = [label for label, _p, _b in LOCAL_SERVERS].index("llama-cpp-python server")
        model.server.setCurrentIndex(server)
        model.server.activated.emit(server)
        model.api_base.setText(args.api_base or fake.url)
        model.name.setText(args.model)
        done = []
        model.check_finished.connect(lambda *a: done.append(True))
        model.test_button.click()
        until(lambda: bool(done), ms=300000)
        wait(500)
        dialog.grab().save(str(HERE / "settings-local-server.png"))
        print(model.result.text())
        dialog.reject()
    win.controller.close(ask=False)
    print("wrote settings-local-server.png")


if __name__ == "__main__":
    main()
