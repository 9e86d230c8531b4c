"""The designer's day (issue 16): Try it with data, a saved run opening in the
simulation editor, new procedures from File / toolbar / start page / templates,
stored results opened from the library without running again."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from lost_parcel import lost_parcel_project
from studio.runtime.connectors import echo_inputs
from studio.ui.panels.runner.runner import RunnerPanel
from test_ui_support import ScriptedPrompts, close_window, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def parcel(tmp_path):
    return lost_parcel_project(tmp_path / "parcel")


@pytest.fixture
def runner(qtbot, parcel):
    panel = RunnerPanel(parcel)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    return panel


def _try(qtbot, runner, *turns):
    for turn in turns:
        with qtbot.waitSignal(runner.run_finished, timeout=20000) as blocker:
            runner.send_customer_turn(turn)
    return blocker.args[0]


def test_try_it_with_connector_data_and_approval_takes_the_other_branch(qtbot, runner):
    runner.set_try_mode(True)
    assert runner.side.currentWidget() is runner.try_data
    data = runner.try_data
    data.set_procedure("lost-parcel")
    data.connectors["get_order"].set_mode("answer", {"status": "delivered", "total": 42.5,
                                                     "hours_since_delivery": 240})
    data.set_approval("approve", "approved")
    data.set_segment("vip")
    result = _try(qtbot, runner, "my parcel never arrived", "PK-483920")
    assert "compute" in result.coverage["lost-parcel"].steps and result.outcome == "resolved"
    started = next(e for e in result.trace if e["type"] == "conversation_started")
    assert started["customer"]["plan"] == "pro"                       # the segment's attributes
    from PySide6.QtWidgets import QLabel
    from studio.ui.panels.runner.transcript_view import Bubble
    notes = [b for b in runner.transcript.findChildren(Bubble) if b.role == "note"]
    heads = [label.text() for b in notes for label in b.findChildren(QLabel) if "Internal note" in label.text()]
    assert heads and not any("handoff" in h for h in heads)          # an approval is not a handoff
    key, simulation = runner.save_try_run("Delivered 10 days ago, approved")
    assert simulation.fixtures.connectors["get_order"]["hours_since_delivery"] == 240
    assert simulation.fixtures.approvals == {"approve": "approved"}
    assert simulation.customer.segment == "vip"


def test_try_it_with_a_failing_connector_hands_off(qtbot, runner):
    runner.set_try_mode(True)
    runner.try_data.connectors["get_order"].set_mode("fails", "HTTP 503")
    result = _try(qtbot, runner, "my parcel never arrived", "PK-483920")
    call = next(e for e in result.trace if e["type"] == "connector_called")
    assert call["status"] == "error" and "503" in call["error"]
    assert result.outcome == "handoff"


def test_the_sample_mock_answers_for_the_order_the_customer_gave(qtbot, runner):
    runner.set_try_mode(True)
    result = _try(qtbot, runner, "my parcel never arrived", "PK-483920")
    call = next(e for e in result.trace if e["type"] == "connector_called")
    assert call["inputs"] == {"order_id": "PK-483920"}
    assert echo_inputs({"id": "FD-123456", "total": 1}, {"order_id": "PK-483920"})["id"] == "PK-483920"


def test_a_saved_run_opens_in_the_simulation_editor(qtbot, studio_home, tmp_path):
    root = tmp_path / "w"
    lost_parcel_project(root)
    win = open_window(qtbot, root, confirm=True)
    try:
        panels = win.panels_host.ensure_built()
        runner = panels.runner
        runner.set_try_mode(True)
        _try(qtbot, runner, "my parcel never arrived", "PK-483920")
        key, _ = runner.save_try_run("Delivered 2 days ago")
        assert panels.editor.key == key
        assert win.panels_host.docks["simulation"].isVisible()
        assert panels.library_view.library.get("Delivered 2 days ago") is not None
    finally:
        close_window(win)


def test_new_procedure_from_file_menu_with_a_template(qtbot, studio_home, tmp_path):
    root = tmp_path / "w"
    lost_parcel_project(root)
    win = open_window(qtbot, root, confirm=True, new_procedure=("Damaged parcel", "refund-approval"))
    try:
        file_menu = win.menuBar().actions()[0].menu()
        assert win.actions_["new_procedure"] in file_menu.actions()
        assert win.actions_["new_procedure"] in win.main_toolbar.actions()
        win.actions_["new_procedure"].trigger()
        procedure = win.session.project.procedures["damaged-parcel"]
        assert [s.id for s in procedure.steps][:3] == ["ask-order", "lookup", "amount"]
        assert procedure.steps[1].connector == ""          # the designer picks the connector
        assert win.current_editor().item_id == "damaged-parcel"
    finally:
        close_window(win)


def test_start_page_when_nothing_is_open_and_empty_state_in_a_project(qtbot, studio_home, tmp_path):
    from studio.ui.main_window import MainWindow
    win = MainWindow(ScriptedPrompts(confirm=True, ask_text="Lost parcel"))
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.start_page is not None, timeout=3000)   # made when first needed
    page = win.start_page
    assert page.isVisible() and page.mode == "start"
    assert page.findChild(type(page.buttons.itemAt(0).widget()), "sample-food-delivery") is not None
    root = tmp_path / "empty"
    win.controller.new_project(root)
    qtbot.waitUntil(lambda: page.mode == "project", timeout=3000)
    assert page.isVisible() and "No procedure yet" in page.text.text()
    page.new_procedure_requested.emit("lookup-decide")
    assert "lost-parcel" in win.session.project.procedures
    qtbot.waitUntil(lambda: not page.isVisible(), timeout=3000)
    close_window(win)


def test_the_new_procedure_dialog_title_is_not_cut(qtbot):
    from studio.ui.dialogs.new_procedure import NewProcedureDialog
    dialog = NewProcedureDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() >= 520 and dialog.windowTitle() == "New procedure"
    assert not dialog.ok_button.isEnabled()
    dialog.name.setText("Lost parcel")
    dialog.templates.setCurrentRow(1)
    assert dialog.choice() == ("Lost parcel", "lookup-decide")


def test_the_start_pages_buttons_go_at_once_when_a_project_opens(qtbot):
    """Old buttons wait for deleteLater; until then they must not paint over the templates."""
    from PySide6.QtWidgets import QPushButton, QTabWidget
    from studio.ui.start_page import StartPage
    area = QTabWidget()
    qtbot.addWidget(area)
    area.resize(900, 600)
    area.show()
    page = StartPage(area)
    page.show_start(["food-delivery"], [])
    page.update_visible()
    page.show_project("Parcel support", 0)
    shown = [b.objectName() for b in page.findChildren(QPushButton) if b.isVisible()]
    assert set(shown) <= {"start-new-procedure"}, shown      # the new one shows when laid out


def test_the_start_page_lists_recent_projects_and_opens_one(qtbot, tmp_path):
    from PySide6.QtWidgets import QTabWidget
    from studio.ui.start_page import StartPage
    area = QTabWidget()
    qtbot.addWidget(area)
    area.resize(900, 600)
    area.show()
    page = StartPage(area)
    recent = str(tmp_path / "parcel-support")
    page.show_start(["food-delivery"], [recent])
    page.update_visible()
    assert page.list.isVisible() and page.list.count() == 1
    assert "parcel-support" in page.list.item(0).text()
    with qtbot.waitSignal(page.recent_requested) as opened:
        page.list.itemActivated.emit(page.list.item(0))
    assert opened.args == [recent]
