"""Scripted turns in the simulation editor: an attached image is previewed, and a
turn's further attachments (written in YAML) survive editing it and can be edited."""
import pytest

from studio.core.project import load_project  # noqa: E402
from studio.core.simulation import Attachment  # noqa: E402
from studio.ui.panels.sim_editor.simulation_editor import SimulationEditor  # noqa: E402

pytestmark = pytest.mark.gui
KEY = "damaged-photo-full-refund"


def test_image_preview_and_extra_attachments_are_kept_and_editable(qtbot, sample_copy):
    project = load_project(sample_copy("food-delivery"))
    simulation = project.simulations[KEY].model_copy(deep=True)
    turn = simulation.customer.turns()[2]
    turn.attachments.append(Attachment(file="spilled-soup.png", extracted={"has_photo": True}))
    simulation.customer.script[2] = turn
    editor = SimulationEditor(project, save_fn=lambda key, sim, prev: project.save_simulation(key, sim))
    qtbot.addWidget(editor)
    editor.set_simulation(simulation, KEY)
    form = editor.customer
    assert form.turn_list.item(2).text().endswith("[2 attachments]")

    form.turn_list.setCurrentRow(2)
    atts = form.attachments
    assert atts.list.count() == 2
    assert atts.file.currentData() == "crushed-pizza.png"
    assert atts.preview.pixmap() is not None and not atts.preview.pixmap().isNull()

    form.turn_text.setPlainText("Here it is, two photos")
    saved = editor.simulation().customer.turns()[2]
    assert saved.text == "Here it is, two photos"
    assert [a.file for a in saved.attachments] == ["crushed-pizza.png", "spilled-soup.png"]

    atts.list.setCurrentRow(1)                       # the second one is editable too
    assert atts.file.currentData() == "spilled-soup.png"
    atts.file.setCurrentIndex(atts.file.findData("crushed-pizza.png"))
    assert [a.file for a in editor.simulation().customer.turns()[2].attachments] == \
        ["crushed-pizza.png", "crushed-pizza.png"]
    atts.remove_button.click()
    atts.remove_button.click()                       # none left: no preview, a text-only turn
    assert atts.preview.pixmap() is None or atts.preview.pixmap().isNull()
    assert not atts.remove_button.isEnabled()
    assert editor.simulation().customer.script[2] == "Here it is, two photos"
