"""The window's actions, shortcuts and menus, built in one place."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from .resources import icon


def make_action(parent, text: str, slot=None, shortcut=None, icon_name: str | None = None,
                tip: str | None = None) -> QAction:
    action = QAction(text, parent)
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut:
        action.setShortcut(QKeySequence(shortcut) if isinstance(shortcut, str) else shortcut)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


def _show_about(w) -> None:
    from .dialogs.about_dialog import show_about
    w.about_dialog = show_about(w)


def _open_log_folder() -> None:
    from .dialogs.crash_dialog import open_log_folder
    open_log_folder()


def build_actions(w) -> dict[str, QAction]:
    """`w` is the MainWindow; returns actions by name (tests trigger them by name)."""
    a = {
        "new": make_action(w, "&New project…", w.new_project, QKeySequence.New, "new"),
        "new_procedure": make_action(w, "New p&rocedure…", w.new_procedure, "Ctrl+Shift+N", "new",
                                     "Create a procedure, blank or from a template"),
        "new_connector": make_action(w, "New co&nnector…", lambda: w.session and w.project_tree.add("connector"),
                                     tip="Create a data connector: inputs, request, sample answer"),
        "open": make_action(w, "&Open project…", w.open_project_dialog, QKeySequence.Open, "open"),
        "save": make_action(w, "&Save", w.save_current, QKeySequence.Save, "save",
                            "Save the current document"),
        "save_all": make_action(w, "Save A&ll", w.save_all, "Ctrl+Shift+S", "save-all"),
        "close": make_action(w, "&Close project", w.close_project, "Ctrl+Shift+W"),
        "quit": make_action(w, "&Quit", w.close, QKeySequence.Quit),
        "delete": make_action(w, "&Delete", lambda: w.editor_call("delete_selected"),
                              QKeySequence.Delete, "delete"),
        "duplicate": make_action(w, "D&uplicate", lambda: w.editor_call("duplicate_selected"),
                                 "Ctrl+D", "duplicate"),
        "copy": make_action(w, "&Copy steps", lambda: w.editor_call("copy_selected"), QKeySequence.Copy),
        "cut": make_action(w, "Cu&t steps", lambda: w.editor_call("cut_selected"), QKeySequence.Cut),
        "paste": make_action(w, "&Paste steps", lambda: w.editor_call("paste"), QKeySequence.Paste),
        "find": make_action(w, "&Find in procedure…", lambda: w.editor_call("show_find"),
                            QKeySequence.Find, "find"),
        "insert": make_action(w, "&Insert step…", w.show_insert_menu, "Ctrl+I", "add"),
        "move_up": make_action(w, "Move step up", lambda: w.editor_call("move_selected", -1), "Alt+Up"),
        "move_down": make_action(w, "Move step down", lambda: w.editor_call("move_selected", 1),
                                 "Alt+Down"),
        "zoom_in": make_action(w, "Zoom &in", lambda: w.flowchart_call("zoom", 1.2),
                               QKeySequence.ZoomIn, "zoom-in"),
        "zoom_out": make_action(w, "Zoom &out", lambda: w.flowchart_call("zoom", 1 / 1.2),
                                QKeySequence.ZoomOut, "zoom-out"),
        "zoom_fit": make_action(w, "&Fit flowchart", lambda: w.flowchart_call("user_fit"), "Ctrl+0",
                                tip="Show the whole flowchart (Ctrl+0)"),
        "export_flow": make_action(w, "&Export flowchart…", w.export_flowchart, None, "export"),
        "validate": make_action(w, "&Check project", w.controller_validate, "F7"),
        "settings": make_action(w, "&Settings…", w.show_project_settings, "Ctrl+,", "settings",
                                "Name, tone, model and API key, segments, real calls"),
        "settings_text": make_action(w, "studio.yaml as &text", lambda: w.open_item("settings", ""),
                                     tip="Edit the project settings file as YAML, comments and all"),
        "procedure_text": make_action(w, "Procedure as &YAML", w.show_current_text, "Ctrl+Shift+Y",
                                      tip="Edit the open procedure's file as YAML, comments and all"),
        "theme_light": make_action(w, "Light theme", lambda: w.set_theme(False)),
        "theme_dark": make_action(w, "Dark theme", lambda: w.set_theme(True)),
        "theme_system": make_action(w, "Follow system theme", lambda: w.set_theme(None)),
    }
    a["about"] = make_action(w, "&About Procedure Studio", lambda: _show_about(w),
                             tip="Versions of the app, Python, Qt and PySide6, and the log folder")
    a["about"].setMenuRole(QAction.MenuRole.AboutRole)
    a["log_folder"] = make_action(w, "Open &log folder", _open_log_folder,
                                  tip="The app log and the crash log, for a bug report")
    a["settings"].setMenuRole(QAction.MenuRole.PreferencesRole)
    stack_undo = w.undo_group.createUndoAction(w, "&Undo")
    stack_undo.setShortcut(QKeySequence.Undo)
    stack_undo.setIcon(icon("undo"))
    stack_redo = w.undo_group.createRedoAction(w, "&Redo")
    stack_redo.setShortcuts([QKeySequence.Redo, QKeySequence("Ctrl+Y")])
    stack_redo.setIcon(icon("redo"))
    a["undo"], a["redo"] = stack_undo, stack_redo
    return a


def build_menus(w, a: dict[str, QAction]) -> None:
    bar = w.menuBar()
    file = bar.addMenu("&File")
    for name in ("new_procedure", "new_connector", None, "new", "open"):
        file.addSeparator() if name is None else file.addAction(a[name])
    w.recent_menu = file.addMenu("Open &recent")
    w.recent_menu.aboutToShow.connect(w.fill_recent_menu)
    file.addSeparator()
    for name in ("save", "save_all"):
        file.addAction(a[name])
    file.addSeparator()
    file.addAction(a["export_flow"])
    file.addSeparator()
    file.addAction(a["close"])
    file.addAction(a["quit"])
    edit = bar.addMenu("&Edit")
    for name in ("undo", "redo", None, "cut", "copy", "paste", "duplicate", "delete", None,
                 "insert", "move_up", "move_down", None, "find"):
        edit.addSeparator() if name is None else edit.addAction(a[name])
    view = bar.addMenu("&View")
    for name in ("zoom_in", "zoom_out", "zoom_fit", None, "theme_system", "theme_light", "theme_dark"):
        view.addSeparator() if name is None else view.addAction(a[name])
    w.view_menu = view
    project = bar.addMenu("&Project")
    project.addAction(a["settings"])
    project.addAction(a["settings_text"])
    project.addAction(a["procedure_text"])
    project.addSeparator()
    project.addAction(a["validate"])
    w.project_menu = project
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a["about"])
    help_menu.addAction(a["log_folder"])
    w.help_menu = help_menu

    tools = w.addToolBar("Main")
    tools.setObjectName("MainToolBar")
    tools.setMovable(False)
    a["new_procedure"].setIconText("New procedure")
    for name in ("new_procedure", "open", "save", "save_all", None, "undo", "redo", None, "insert", "duplicate",
                 "delete", None, "find", "zoom_in", "zoom_out", "export_flow"):
        tools.addSeparator() if name is None else tools.addAction(a[name])
    w.main_toolbar = tools
