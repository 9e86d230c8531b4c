"""The simulation editor: name, procedure and tags, then customer, fixtures
and expectations tabs.

Every edit is an undo command on the session's stack, like a procedure edit
(`studio.document.sim_commands`): typing in one place merges into one command,
Ctrl+Z undoes the last edit, the dirty marker is the session's, and the library
listener hears each edit. A part of the form that cannot be built yet (JSON
being typed, an empty name) waits in the form until it can ("pending"). Save
writes the file through the injected save function (project YAML and library).
Without a session (a form on its own) the editor keeps a session of its own."""
from __future__ import annotations

from typing import Any, Callable

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QStackedWidget, QTabWidget, QVBoxLayout,
                               QWidget)

from studio.core.project import Project
from studio.core.simulation import Simulation
from studio.document.project_commands import ReplaceItems
from studio.document.session import ProjectSession
from studio.document.sim_commands import SetSimulationField, _data
from studio.document.tree_ops import unique_id

from ...theme import tone
from ...widgets.app_undo import AppUndoInFields
from ...widgets.choices import fill_choices
from ...widgets.layouts import form_rows
from .sim_customer_form import CustomerForm
from .form_problems import Problem, blocking, problem
from .sim_expect_form import ExpectationsForm, procedure_names
from .sim_fixtures_form import FixturesForm

EMPTY_HINT = ("No simulation open.\n\nDouble-click a simulation in the project tree or the "
              "Library to edit its customer, fixtures and expectations here, or use "
              "“Try it” in the Runner and save the conversation as a new simulation.")




def _scrolling(widget: QWidget) -> QScrollArea:
    """Long forms scroll instead of forcing the window taller than the screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(widget)
    return area


SaveFn = Callable[[str, Simulation, "str | None"], Any]   # key, simulation, previous name


class SimulationEditor(QWidget):
    changed = Signal()
    saved = Signal(str, object)          # key, Simulation
    yaml_requested = Signal(str)         # key: show the simulation's YAML file as text
    run_requested = Signal(object)       # Simulation (as edited, saved or not)

    def __init__(self, project: Project, save_fn: SaveFn | None = None, parent: QWidget | None = None,
                 session: ProjectSession | None = None):
        super().__init__(parent)
        self.setObjectName("simulation-editor")
        self.project = project
        self.session = session if session is not None else ProjectSession(project)
        self._save_fn = save_fn or (lambda key, sim, previous: project.save_simulation(key, sim))
        self.key: str | None = None
        self.original: Simulation | None = None      # as opened or last saved
        self._pending: set[str] = set()              # fields whose form part does not build yet
        self._base_differs = False                   # shown simulation is not the session's
        self._loading = False
        self._pushing = False

        self.name = QLineEdit()
        self.procedure = QComboBox()
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("comma separated, e.g. refunds, happy-path")
        self.description = QLineEdit()
        self.marker = QLabel("")
        self.problems = QLabel("")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(tone("color:#b3261e; font-size:11px;"))
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the simulation to its YAML file and the library")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Throw away the edits since the last save")
        self.run_button = QPushButton("▶ Run")
        self.run_button.setToolTip("Run the simulation as edited (saved or not) in the Runner")
        self.yaml_button = QPushButton("YAML")
        self.yaml_button.setToolTip("Show the simulation's YAML file in a text tab (for power users)")
        self.yaml_button.setFlat(True)
        head = form_rows(("Name", self.name), ("Procedure", self.procedure), ("Tags", self.tags),
                         ("Description", self.description))
        buttons = QHBoxLayout()
        buttons.addWidget(self.marker, 1)
        buttons.addWidget(self.yaml_button)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        attachments = project.root / "attachments"
        self.customer = CustomerForm(sorted(project.settings.segments), attachments)
        self.fixtures = FixturesForm(project)
        self.expect = ExpectationsForm(project)
        self.tabs = QTabWidget()
        self.tabs.addTab(_scrolling(self.customer), "Customer")
        self.tabs.addTab(_scrolling(self.fixtures), "Fixtures")
        self.tabs.addTab(_scrolling(self.expect), "Expectations")

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        self.empty = QLabel(EMPTY_HINT)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("Muted")
        self.empty.setMargin(24)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(page)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)

        for field, signal in (("name", self.name.textChanged), ("tags", self.tags.textChanged),
                              ("description", self.description.textChanged),
                              ("customer", self.customer.changed), ("fixtures", self.fixtures.changed),
                              ("expect", self.expect.changed)):
            signal.connect(lambda *_a, f=field: self._edited(f))
        self.procedure.currentIndexChanged.connect(self._procedure_changed)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.run_button.clicked.connect(self._run)
        self.yaml_button.clicked.connect(lambda: self.key and self.yaml_requested.emit(self.key))
        self._app_undo = AppUndoInFields(self)       # Ctrl+Z in a field is the app's undo
        self.session.item_changed.connect(self._item_changed)
        self.session.dirty_changed.connect(self._update_state)
        self._update_state()

    def set_prompts(self, prompts) -> None:
        """The window's prompts answer the editor's questions (file choice, overwrite)."""
        self.customer.attachments.prompts = prompts

    # -- loading --------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """Edits not saved: in the session (undoable) or still waiting in the form."""
        return bool(self._pending) or (self.key is not None and
                                       self.session.is_key_dirty(("simulation", self.key)))

    def set_simulation(self, simulation: Simulation, key: str | None = None) -> None:
        self.pages.setCurrentIndex(1)
        self.key, self.original = key, simulation
        current = self._current()
        self._base_differs = current is None or current.to_data() != simulation.to_data()
        self._load(simulation, opening=True)

    def _load(self, simulation: Simulation, opening: bool = False) -> None:
        """Fill the form from `simulation`; pending parts are dropped."""
        self._loading = True
        self._pending.clear()
        self.name.setText(simulation.name)
        fill_choices(self.procedure, "(routed by the trigger)", sorted(self.project.procedures),
                     simulation.procedure)
        self.tags.setText(", ".join(simulation.tags))
        self.description.setText(simulation.description or "")
        for field in (self.name, self.tags, self.description):   # show the start of long texts
            if opening:
                field.setCursorPosition(0)
            field.setToolTip(field.text())
        self.customer.set_variable_names(procedure_names(self.project, simulation.procedure))
        turn = self.customer.turn_list.currentRow()
        self.customer.load(simulation.customer)
        if not opening and 0 <= turn < self.customer.turn_list.count():
            self.customer.turn_list.setCurrentRow(turn)      # undo keeps the turn in view
        self.fixtures.load(simulation.fixtures, simulation.procedure)
        self.expect.load(simulation.expect, simulation.procedure)
        self._loading = False
        self._update_state()
        self._check()

    def clear(self) -> None:
        """Nothing open (the simulation was deleted): back to the hint."""
        self.key, self.original = None, None
        self._pending.clear()
        self._update_state()
        self.pages.setCurrentIndex(0)

    def revert(self) -> None:
        """Back to the file's version (or the one opened, for a simulation not saved yet):
        one undoable command."""
        if self.key is None or self.original is None:
            return
        saved = self.session.saved_data(("simulation", self.key))
        target = Simulation.model_validate(saved) if saved is not None else self.original
        self._replace(target, "Revert simulation")
        self._load(target)

    def is_pushing(self) -> bool:
        """True while the session hears of an edit made in this editor."""
        return self._pushing

    def _current(self) -> Simulation | None:
        return self.session.get("simulation", self.key) if self.key else None

    def _item_changed(self, kind: str, key: str) -> None:
        """Undo, redo, the project tree or a file changed outside: the form follows."""
        if kind != "simulation" or key != self.key or self._pushing or self._loading:
            return
        try:
            simulation = self._current()
            if simulation is None:
                self.clear()
            else:
                self._base_differs = False
                self._load(simulation)
        except RuntimeError:      # the editor's widgets are gone (project closed)
            pass

    # -- building -------------------------------------------------------------
    def simulation(self) -> Simulation:
        """The edited simulation; raises ValueError with a readable message."""
        problems = self.all_problems(strict=True)
        if problems:
            raise ValueError("; ".join(p.message for p in problems))
        try:
            return Simulation(
                name=self.name.text().strip(), procedure=self.procedure.currentData(),
                tags=[t.strip() for t in self.tags.text().split(",") if t.strip()],
                description=self.description.text().strip() or None,
                channel=(self._current() or self.original).channel if self.original else None,
                customer=self.customer.customer(), fixtures=self.fixtures.fixtures(),
                expect=self.expect.expectations())
        except (ValidationError, ValueError) as exc:
            raise ValueError(str(exc).splitlines()[0]) from None

    def all_problems(self, strict: bool = False) -> list[Problem]:
        """Every problem of the form; `strict`: only the errors, which stop a save
        (warnings such as a value unlike the connector's sample are only shown)."""
        out = []
        if not self.name.text().strip():
            out.append(problem("no-name", "the simulation needs a name", blocking=True))
        out += self.customer.problems() + self.fixtures.problems() + self.expect.problems()
        return blocking(out) if strict else out

    def save(self) -> bool:
        try:
            simulation = self.simulation()
        except ValueError as exc:
            self.problems.setText(f"Not saved: {exc}")
            return False
        from ..runner.runner import slug
        key = self.key or unique_id(slug(simulation.name), self.project.simulations)
        self.key = key
        saved = self.session.saved_data(("simulation", key))
        previous = saved.get("name") if saved and saved.get("name") != simulation.name else None
        try:
            self._replace(simulation, f"Edit simulation {simulation.name}")
            self._save_fn(key, simulation, previous)
        except Exception as exc:   # disk full, library locked: say so, keep the edits
            self.problems.setText(f"Not saved: {exc}")
            return False
        if self.session.is_key_dirty(("simulation", key)):   # written by the save function
            self.session.mark_saved(("simulation", key))
        self.original = simulation
        self._update_state()
        self.saved.emit(key, simulation)
        return True

    # -- edits: one command each ------------------------------------------------
    def _value(self, field: str) -> object:
        """The form's value of `field`; ValueError while it cannot be built."""
        if field == "name":
            name = self.name.text().strip()
            if not name:
                raise ValueError("the simulation needs a name")
            return name
        if field == "tags":
            return [t.strip() for t in self.tags.text().split(",") if t.strip()]
        if field == "description":
            return self.description.text().strip() or None
        if field == "procedure":
            return self.procedure.currentData()
        try:
            return {"customer": self.customer.customer, "fixtures": self.fixtures.fixtures,
                    "expect": self.expect.expectations}[field]()
        except ValidationError as exc:
            raise ValueError(str(exc).splitlines()[0]) from None

    def _edited(self, field: str) -> None:
        if self._loading:
            return
        self._check()
        try:
            value = self._value(field)
        except ValueError:
            self._pending.add(field)
        else:
            self._pending.discard(field)
            self._push(field, value)
        self._update_state()
        self.changed.emit()

    def _push(self, field: str, value: object, merge: bool = True) -> None:
        current = self._current()
        if self.original is None:
            return
        if current is None or self._base_differs:       # not the session's yet: all of it
            self._replace(self.original.model_copy(update={field: value}), "Edit simulation")
            return
        if _data(getattr(current, field)) == _data(value):
            return
        self._pushing = True
        try:
            self.session.push(SetSimulationField(self.session, self.key, field, value, merge=merge))
        finally:
            self._pushing = False

    def _replace(self, simulation: Simulation, text: str) -> None:
        """Make the session's simulation `simulation` (one command; nothing when equal)."""
        if self.key is None:
            from ..runner.runner import slug
            self.key = unique_id(slug(simulation.name), self.project.simulations)
        current = self._current()
        self._base_differs = False
        if current is not None and current.to_data() == simulation.to_data():
            return
        self._pushing = True
        try:
            self.session.push(ReplaceItems(self.session, [("simulation", self.key if current else None,
                                                           current, self.key, simulation)], text))
        finally:
            self._pushing = False

    def _procedure_changed(self) -> None:
        """Another procedure: its steps and connectors fill the pickers; one command."""
        if self._loading:
            return
        pid = self.procedure.currentData()
        current = self._current() or self.original
        try:
            fixtures, expect = self.fixtures.fixtures(), self.expect.expectations()
        except (ValueError, ValidationError):
            fixtures, expect = current.fixtures, current.expect
        self._loading = True
        self.fixtures.load(fixtures, pid)
        self.expect.load(expect, pid)
        self.customer.set_variable_names(procedure_names(self.project, pid))
        self._loading = False
        self._pending -= {"fixtures", "expect"}
        with self.session.macro("Edit simulation procedure"):
            self._push("procedure", pid, merge=False)
            for field in ("fixtures", "expect"):
                try:
                    self._push(field, self._value(field), merge=False)
                except ValueError:
                    self._pending.add(field)
        self._check()
        self._update_state()
        self.changed.emit()

    def _check(self) -> None:
        problems = self.all_problems()
        self.problems.setText("\n".join(f"• {p.message}" for p in problems[:6]))
        self.problems.setVisible(bool(problems))

    def _update_state(self) -> None:
        try:
            dirty = self.dirty
            self.marker.setText("● unsaved changes" if dirty else "saved")
        except RuntimeError:        # the session outlived the editor's widgets
            return
        self.marker.setStyleSheet(tone("color:#b26a00; font-weight:600;" if dirty else "color:#5c6b7a;"))
        self.save_button.setEnabled(dirty)
        self.yaml_button.setEnabled(bool(self.key) and self.key in self.project.simulations)
        self.revert_button.setEnabled(dirty)

    def _run(self) -> None:
        try:
            self.run_requested.emit(self.simulation())
        except ValueError as exc:
            self.problems.setText(f"Cannot run: {exc}")
