"""The YAML view of an item over the Qt-free session: the file's comments stay."""
from __future__ import annotations

from studio.document import project_commands as pc
from studio.document.session import ProjectSession

from test_ui_support import demo_project, studio_home  # noqa: F401  (fixtures)


def test_the_yaml_view_shows_the_files_comments(qapp, demo_project):
    from studio.ui.editor.text_item_editor import TextItemEditor
    path = demo_project / "simulations/crushed-pizza.yaml"
    path.write_text("# the photo case lives in crushed-pizza-photo\n" + path.read_text()
                    .replace("expect:\n", "expect:   # what the refund flow must do\n"))
    s = ProjectSession.open(demo_project)
    key = ("simulation", "crushed-pizza")
    assert s.current_text(key) == path.read_text()           # unchanged: the file as written
    editor = TextItemEditor(s, "simulation", "crushed-pizza")
    try:
        text = editor.text.toPlainText()
        assert text.startswith("# the photo case lives in crushed-pizza-photo\n")
        assert "expect:   # what the refund flow must do" in text
        changed = s.get(*key).model_copy(update={"tags": ["refunds"]})
        s.push(pc.replace_item(s, "simulation", "crushed-pizza", changed))   # an edit elsewhere
        text = editor.text.toPlainText()
        assert "refunds" in text and "# what the refund flow must do" in text
        assert text.startswith("# the photo case")
    finally:
        editor.dispose()
        editor.deleteLater()
