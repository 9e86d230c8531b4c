"""A project folder loaded whole, with every problem met along the way."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from .connector import Connector
from .ids import is_valid_id
from .knowledge import Article
from .problems import Problem, Severity
from .procedure import Procedure
from .schema_problems import pydantic_problems
from .settings import ProjectSettings
from .simulation import Simulation
from .steps import walk_steps
from .yaml_hints import GENERIC, yaml_hint
from .yaml_io import SourceMap, YamlError, atomic_write, parse_yaml, save_model
from .layout import (ATTACHMENTS_DIR, CONNECTORS_DIR, KNOWLEDGE_DIR, LIBRARY_FILE,  # noqa: F401
                     PROCEDURES_DIR, SETTINGS_FILE, SIMULATIONS_DIR)


@dataclass
class Project:
    root: Path
    settings: ProjectSettings = field(default_factory=ProjectSettings)
    procedures: dict[str, Procedure] = field(default_factory=dict)
    connectors: dict[str, Connector] = field(default_factory=dict)
    knowledge: dict[str, Article] = field(default_factory=dict)
    simulations: dict[str, Simulation] = field(default_factory=dict)   # by file stem
    sources: dict[str, SourceMap] = field(default_factory=dict)        # by relative file
    files: dict[str, str] = field(default_factory=dict)                # "procedure:id" -> rel file
    load_problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def library_path(self) -> Path:
        return self.root / LIBRARY_FILE

    def file_of(self, kind: str, item_id: str) -> str:
        default = {
            "procedure": f"{PROCEDURES_DIR}/{item_id}.yaml",
            "connector": f"{CONNECTORS_DIR}/{item_id}.yaml",
            "knowledge": f"{KNOWLEDGE_DIR}/{item_id}.md",
            "simulation": f"{SIMULATIONS_DIR}/{item_id}.yaml",
        }[kind]
        return self.files.get(f"{kind}:{item_id}", default)

    def simulation(self, key: str) -> Simulation | None:
        """By file stem, or by the simulation's name."""
        if key in self.simulations:
            return self.simulations[key]
        return next((s for s in self.simulations.values() if s.name == key), None)

    def switch_rule_location(self, procedure_id: str, index: int) -> str | None:
        """"procedures/x.yaml:10" where the procedure's switch rule `index` (0-based) is written."""
        rel = self.file_of("procedure", procedure_id)
        source = self.sources.get(rel)
        node = source.node_at(("switch_rules", index)) if source is not None else None
        return f"{rel}:{node.start_mark.line + 1}" if node is not None else None

    def step_location(self, procedure_id: str, step_id: str) -> str | None:
        """"procedures/x.yaml:14" where the step is written, so a run-time error names the
        file and line; None when the file as loaded no longer holds that step there."""
        procedure = self.procedures.get(procedure_id)
        rel = self.file_of("procedure", procedure_id)
        source = self.sources.get(rel)
        if procedure is None or source is None:
            return None
        for path, step in walk_steps(procedure.steps):
            if step.id == step_id:
                written = source.node_at(path + ("id",))      # an edit since loading: no line
                position = source.locate(path) if getattr(written, "value", None) == step_id else None
                return f"{rel}:{position[0]}" if position else None
        return None

    # -- saving -------------------------------------------------------------
    # Saving over an existing file keeps the designer's comments, explicit defaults,
    # flow style and quotes wherever the data did not change (yaml_io.save_model).
    def save_settings(self) -> None:
        save_model(self.settings, self.root / SETTINGS_FILE)

    def save_procedure(self, procedure: Procedure) -> Path:
        self.procedures[procedure.id] = procedure
        path = self.root / self.file_of("procedure", procedure.id)
        save_model(procedure, path)
        return path

    def save_connector(self, connector: Connector) -> Path:
        self.connectors[connector.id] = connector
        path = self.root / self.file_of("connector", connector.id)
        save_model(connector, path)
        return path

    def save_article(self, article: Article) -> Path:
        self.knowledge[article.id] = article
        path = self.root / self.file_of("knowledge", article.id)
        atomic_write(path, article.render())
        return path

    def save_simulation(self, key: str, simulation: Simulation) -> Path:
        self.simulations[key] = simulation
        path = self.root / self.file_of("simulation", key)
        save_model(simulation, path)
        return path


def load_model(cls: type[BaseModel], path: Path, rel: str, *,
               fast: bool = False) -> tuple[Any, SourceMap | None, list[Problem]]:
    """Read one YAML file into `cls`; never raises for bad content. `fast` changes nothing
    (one reader for every file now) and is kept for callers."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [Problem(code="io", file=rel, message=f"cannot read file: {exc}",
                                    hint="save it as UTF-8 text" if isinstance(exc, UnicodeDecodeError)
                                    else None)]
    return model_from_text(cls, text, rel, fast=fast)


def model_from_text(cls: type[BaseModel], text: str, rel: str, *,
                    fast: bool = False) -> tuple[Any, SourceMap | None, list[Problem]]:
    """`load_model` for text not yet on disk (an editor's buffer); never raises for bad content."""
    try:
        data, source = parse_yaml(text, fast=fast)
    except YamlError as exc:
        return None, None, [Problem(code="yaml", file=rel, line=exc.line, column=exc.column,
                                    message=exc.message, hint=yaml_hint(exc.message) or GENERIC)]
    if not isinstance(data, dict):
        empty = data is None
        return None, source, [Problem(code="schema", file=rel, line=1, column=1,
                                      message="the file is empty" if empty else
                                      "the file must be a YAML mapping (key: value)",
                                      hint=f"start it with: schema: {_SCHEMA_OF.get(cls.__name__, '...')}")]
    problems = duplicate_key_problems(source, rel)
    try:
        return cls.model_validate(data), source, problems
    except ValidationError as exc:
        return None, source, problems + pydantic_problems(exc, rel, source, data, cls)


_SCHEMA_OF = {"Procedure": "procedure/v1", "Connector": "connector/v1",
              "Simulation": "simulation/v1", "ProjectSettings": "studio/v1"}


def duplicate_key_problems(source: SourceMap | None, rel: str) -> list[Problem]:
    """YAML keeps the last of two equal keys and drops the first without a word;
    say so, since saving would then lose the first for good."""
    return [Problem(severity=Severity.warning, code="duplicate-key", file=rel, line=line, column=column,
                    message=f"'{key}' is written twice in the same place; only this last one is used",
                    hint=f"the earlier '{key}' on line {first} is ignored (and dropped when the file "
                         "is saved): merge the two or delete one")
            for key, line, column, first in (source.duplicate_keys() if source else [])]


def load_project(root: Path | str, *, simulations: bool = True) -> Project:
    """Load everything; problems go to `project.load_problems`, never raised.

    `simulations=False` leaves out the `simulations/` folder, for callers that
    take simulations from the library (run-all over thousands of them)."""
    root = Path(root)
    project = Project(root=root)
    problems = project.load_problems
    if not root.is_dir():
        problems.append(Problem(code="io", message=f"{root} is not a folder",
                                hint="give the path of a project folder (it holds studio.yaml)"))
        return project
    settings_path = root / SETTINGS_FILE
    if settings_path.exists():
        settings, source, found = load_model(ProjectSettings, settings_path, SETTINGS_FILE)
        problems.extend(found)
        if settings is not None:
            project.settings = settings
        if source:
            project.sources[SETTINGS_FILE] = source
    else:
        problems.append(Problem(code="io", file=SETTINGS_FILE, message="studio.yaml is missing",
                                hint="run `studio new PATH` to create a project"))

    def load_dir(folder: str, cls: type[BaseModel], kind: str, store: dict,
                 key: Callable[[Any, str], str]) -> None:
        directory = root / folder
        if not directory.is_dir():
            return
        for path in sorted(directory.glob("*.y*ml")):
            rel = f"{folder}/{path.name}"
            stem = path.stem
            model, source, found = load_model(cls, path, rel)
            problems.extend(found)
            if source:
                project.sources[rel] = source
            if model is None:
                continue
            item_key = key(model, stem)
            if kind != "simulation" and item_key != stem:
                pos = source.locate(("id",)) if source else None
                problems.append(Problem(
                    code="id-mismatch", file=rel, line=pos[0] if pos else None,
                    column=pos[1] if pos else None,
                    message=f"id '{item_key}' does not match the file name '{path.name}'",
                    hint=f"rename the file to {item_key}.yaml or set id: {stem}"))
            if item_key in store:
                problems.append(Problem(code="duplicate-id", file=rel,
                                        message=f"duplicate {kind} id '{item_key}'"))
                continue
            store[item_key] = model
            project.files[f"{kind}:{item_key}"] = rel

    load_dir(PROCEDURES_DIR, Procedure, "procedure", project.procedures, lambda m, s: m.id)
    load_dir(CONNECTORS_DIR, Connector, "connector", project.connectors, lambda m, s: m.id)
    if simulations:
        load_dir(SIMULATIONS_DIR, Simulation, "simulation", project.simulations, lambda m, s: s)

    knowledge_dir = root / KNOWLEDGE_DIR
    if knowledge_dir.is_dir():
        for path in sorted(knowledge_dir.glob("*.md")):
            rel = f"{KNOWLEDGE_DIR}/{path.name}"
            if not is_valid_id(path.stem):
                problems.append(Problem(code="bad-id", file=rel,
                                        message=f"'{path.stem}' is not a valid article id",
                                        hint="use lower-case letters, digits, '-' and '_'"))
                continue
            try:
                project.knowledge[path.stem] = Article.parse(path.stem, path.read_text(encoding="utf-8"))
                project.files[f"knowledge:{path.stem}"] = rel
            except YamlError as exc:
                problems.append(Problem(code="knowledge", file=rel, line=exc.line or 1, column=exc.column,
                                        message=exc.message,
                                        hint="the lines between the two '---' are YAML, e.g. "
                                             "title: Refund policy (quote titles with ': ' in them)"))
            except Exception as exc:  # broken front matter must not stop the load
                problems.append(Problem(code="knowledge", file=rel, line=1,
                                        message=f"cannot read article: {exc}"))
    return project
