"""A simulation file added or deleted outside the app is picked up when the watcher notices."""
from __future__ import annotations

from test_ui_support import demo_project, studio_home, window  # noqa: F401  (fixtures)

NEW = """schema: simulation/v1
name: Written by hand
procedure: damaged-order
customer: {script: [my soup is cold]}
expect: {outcome: handoff}
"""


def test_a_file_added_in_simulations_joins_the_project(window, demo_project):
    folder = demo_project / "simulations"
    assert str(folder) in window.controller.watcher.directories()
    (folder / "by-hand.yaml").write_text(NEW)
    window.controller._folder_changed(str(folder))            # what the watcher reports
    assert window.controller.check_external_changes() == ["simulations/by-hand.yaml"]
    assert window.session.get("simulation", "by-hand").name == "Written by hand"
    assert not window.session.is_dirty                         # the file is the truth already
