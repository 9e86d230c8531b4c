"""The simulation editor: name, procedure and tags, then customer, fixtures
and expectations tabs. Edits build a new `Simulation`; Save writes it through
the injected save function (project YAML and library), with a dirty marker."""
from __future__ import annotations

from typing import Any, Callable

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QStackedWidget, QTabWidget, QVBoxLayout,
                               QWidget)

from studio.core.project import Project
from studio.core.simulation import Simulation

from ...theme import tone
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

    def __init__(self, project: Project, save_fn: SaveFn | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("simulation-editor")
        self.project = project
        self._save_fn = save_fn or (lambda key, sim, previous: project.save_simulation(key, sim))
        self.key: str | None = None
        self.original: Simulation | None = None
        self.dirty = False
        self._loading = False

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

        for signal in (self.name.textChanged, self.tags.textChanged, self.description.textChanged,
                       self.customer.changed, self.fixtures.changed, self.expect.changed):
            signal.connect(self._edited)
        self.procedure.currentIndexChanged.connect(self._procedure_changed)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.run_button.clicked.connect(self._run)
        self.yaml_button.clicked.connect(lambda: self.key and self.yaml_requested.emit(self.key))
        self._set_dirty(False)

    def set_prompts(self, prompts) -> None:
        """The window's prompts answer the editor's questions (file choice, overwrite)."""
        self.customer.attachments.prompts = prompts

    # -- loading --------------------------------------------------------------
    def set_simulation(self, simulation: Simulation, key: str | None = None) -> None:
        self.pages.setCurrentIndex(1)
        self._loading = True
        self.key, self.original = key, simulation
        self.name.setText(simulation.name)
        fill_choices(self.procedure, "(routed by the trigger)", sorted(self.project.procedures),
                     simulation.procedure)
        self.tags.setText(", ".join(simulation.tags))
        self.description.setText(simulation.description or "")
        for field in (self.name, self.tags, self.description):   # show the start of long texts
            field.setCursorPosition(0)
            field.setToolTip(field.text())
        self.customer.set_variable_names(procedure_names(self.project, simulation.procedure))
        self.customer.load(simulation.customer)
        self.fixtures.load(simulation.fixtures, simulation.procedure)
        self.expect.load(simulation.expect, simulation.procedure)
        self._loading = False
        self._set_dirty(False)
        self._check()

    def clear(self) -> None:
        """Nothing open (the simulation was deleted): back to the hint."""
        self.key, self.original = None, None
        self._set_dirty(False)
        self.pages.setCurrentIndex(0)

    def revert(self) -> None:
        if self.original is not None:
            self.set_simulation(self.original, self.key)

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
                channel=self.original.channel if self.original else None,
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
        key = self.key or slug(simulation.name)
        previous = self.original.name if self.original and self.original.name != simulation.name else None
        try:
            self._save_fn(key, simulation, previous)
        except Exception as exc:   # disk full, library locked: say so, keep the edits
            self.problems.setText(f"Not saved: {exc}")
            return False
        self.key, self.original = key, simulation
        self._set_dirty(False)
        self.saved.emit(key, simulation)
        return True

    # -- state ----------------------------------------------------------------
    def _procedure_changed(self) -> None:
        if self._loading:
            return
        pid = self.procedure.currentData()
        try:
            fixtures, expect = self.fixtures.fixtures(), self.expect.expectations()
        except (ValueError, ValidationError):
            fixtures, expect = self.original.fixtures, self.original.expect
        self._loading = True
        self.fixtures.load(fixtures, pid)
        self.expect.load(expect, pid)
        self.customer.set_variable_names(procedure_names(self.project, pid))
        self._loading = False
        self._edited()

    def _edited(self) -> None:
        if self._loading:
            return
        self._set_dirty(True)
        self._check()
        self.changed.emit()

    def _check(self) -> None:
        problems = self.all_problems()
        self.problems.setText("\n".join(f"• {p.message}" for p in problems[:6]))
        self.problems.setVisible(bool(problems))

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.marker.setText("● unsaved changes" if dirty else "saved")
        self.marker.setStyleSheet(tone("color:#b26a00; font-weight:600;" if dirty else "color:#5c6b7a;"))
        self.save_button.setEnabled(dirty)
        self.yaml_button.setEnabled(bool(self.key) and self.key in self.project.simulations)
        self.revert_button.setEnabled(dirty)

    def _run(self) -> None:
        try:
            self.run_requested.emit(self.simulation())
        except ValueError as exc:
            self.problems.setText(f"Cannot run: {exc}")
