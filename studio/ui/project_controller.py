"""Opening, saving and closing a project; autosave, crash recovery and outside changes.

Qt glue around the Qt-free session: timers, the file watcher and the prompts.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from studio.core.yaml_io import atomic_write, dump_yaml
from studio.document.problems import project_problems
from studio.document.recovery import Recovery
from studio.document.session import ProjectSession

from . import app_settings
from .prompts import Prompts
from .undo_adapter import QtCommandStack

AUTOSAVE_MS = 30_000
ITEM_FOLDERS = ("procedures", "connectors", "knowledge", "simulations")


class ProjectController(QObject):
    session_changed = Signal(object)       # ProjectSession or None
    problems_changed = Signal(list)
    dirty_changed = Signal(bool)
    recovered = Signal(list)               # files restored from the recovery folder

    def __init__(self, prompts: Prompts, parent=None):
        super().__init__(parent)
        self.prompts = prompts
        self.session: ProjectSession | None = None
        self.recovery: Recovery | None = None
        self.problems: list = []
        self.autosave_timer = QTimer(self, interval=AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.validate_timer = QTimer(self, singleShot=True, interval=400)
        self.validate_timer.timeout.connect(self.validate)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)
        self.watcher.directoryChanged.connect(self._folder_changed)
        self._changed: set[str] = set()
        self.change_timer = QTimer(self, singleShot=True, interval=250)
        self.change_timer.timeout.connect(self.check_external_changes)

    # -- open / close ------------------------------------------------------------
    def open(self, root: Path | str) -> ProjectSession:
        root = Path(root).resolve()
        if not (root / "studio.yaml").exists():
            raise FileNotFoundError(f"{root} is not a Procedure Studio project (no studio.yaml)")
        if self.session is not None and not self.close():
            raise RuntimeError("the current project is still open")
        session = ProjectSession.open(root, QtCommandStack())
        self.session = session
        self.recovery = Recovery(session, app_settings.data_dir())
        session.dirty_changed.connect(self._on_dirty)
        session.item_changed.connect(lambda *_: self.validate_timer.start())
        session.items_changed.connect(lambda *_: self.validate_timer.start())
        session.saved.connect(self._watch_files)
        self._watch_files()
        app_settings.add_recent(root)
        self.session_changed.emit(session)
        self.validate()
        self.offer_recovery()
        self.autosave_timer.start()
        return session

    def close(self, ask: bool = True) -> bool:
        """Close the project; ask to save unsaved changes. False when the user cancels."""
        session = self.session
        if session is None:
            return True
        session.flush_requested.emit()          # text typed just now counts as unsaved too
        if ask and session.is_dirty:
            answer = self.prompts.save_discard_cancel(
                "Unsaved changes", f"Save changes to {session.project.name} before closing?")
            if answer == "cancel":
                return False
            if answer == "save":
                self.save_all()
                if session.drafts():        # text with problems: nothing of it may be lost
                    return False
        self.autosave_timer.stop()
        if self.recovery is not None and (not session.is_dirty or ask):
            self.recovery.clear()
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self.session, self.recovery = None, None
        self.session_changed.emit(None)
        return True

    def new_project(self, target: Path, sample: str | None = None) -> ProjectSession:
        target = Path(target)
        if sample:
            app_settings.copy_sample(sample, target)
        else:
            atomic_write(target / "studio.yaml", dump_yaml(
                {"schema": "studio/v1", "name": target.name.replace("-", " ").capitalize(),
                 "model": {"name": "offline"}}))
            for folder in ("procedures", "connectors", "knowledge", "simulations"):
                (target / folder).mkdir(parents=True, exist_ok=True)
        return self.open(target)

    # -- saving -------------------------------------------------------------------
    def save_all(self) -> list[Path]:
        if self.session is None:
            return []
        written = self.session.save()
        if not self.session.is_dirty and self.recovery is not None:
            self.recovery.clear()
        self._report_drafts(list(self.session.drafts()))
        return written

    def save_item(self, kind: str, item_id: str) -> list[Path]:
        if self.session is None:
            return []
        written = self.session.save([(kind, item_id)])
        self._report_drafts([k for k in self.session.drafts() if k == (kind, item_id)])
        return written

    def _report_drafts(self, keys: list) -> None:
        """Files whose text does not parse are not saved: say where the problems are."""
        if not keys:
            return
        from studio.document.item_text import describe, parse_item_text
        parts = []
        for key in keys:
            rel = self.session.rel_path(key)
            _, problems = parse_item_text(*key, self.session.draft(key), rel)
            parts.append(f"{rel}:\n{describe(problems)}")
        self.prompts.error("Not saved", "These files have problems and were not saved "
                           "(your text is kept in the editor):\n\n" + "\n\n".join(parts))

    def apply_settings(self, settings) -> bool:
        """New studio.yaml settings: one undo step, then saved at once (atomically).

        False when nothing changed or the file could not be written (the edit stays,
        unsaved, and the user is told why)."""
        session = self.session
        if session is None or settings.to_data() == session.project.settings.to_data():
            return False
        from studio.document.settings_commands import SetProjectSettings
        session.push(SetProjectSettings(session, settings))
        try:
            session.save([("settings", "")])
        except OSError as exc:
            self.prompts.error("Project settings", f"Could not save studio.yaml: {exc}")
            return False
        return True

    def autosave(self) -> list[str]:
        if self.session is None or self.recovery is None or not self.session.is_dirty:
            return []
        return self.recovery.autosave()

    def offer_recovery(self) -> list[str]:
        if self.recovery is None:
            return []
        pending = self.recovery.pending()
        if not pending:
            self.recovery.clear()
            return []
        if self.prompts.offer_recovery(pending):
            restored = self.recovery.restore(pending)
            self.recovered.emit(restored)
            return restored
        self.recovery.clear()
        return []

    def _on_dirty(self) -> None:
        self.dirty_changed.emit(bool(self.session and self.session.is_dirty))

    # -- problems ------------------------------------------------------------------
    def validate(self) -> list:
        if self.session is None:
            self.problems = []
        else:
            self.problems = project_problems(self.session.project)
        self.problems_changed.emit(self.problems)
        return self.problems

    # -- outside changes ------------------------------------------------------------
    def _watch_files(self) -> None:
        if self.session is None:
            return
        paths = [str(self.session.root / self.session.rel_path(k)) for k in self.session.keys()]
        paths += [str(self.session.root / rel) for rel in self.session.broken_files()]
        paths += [str(self.session.root / folder) for folder in ITEM_FOLDERS]   # files added
        paths = [p for p in paths if Path(p).exists()]
        known = set(self.watcher.files()) | set(self.watcher.directories())
        missing = [p for p in paths if p not in known]
        if missing:
            self.watcher.addPaths(missing)

    def _file_changed(self, path: str) -> None:
        self._changed.add(path)
        self.change_timer.start()

    def _folder_changed(self, folder: str) -> None:
        """A file appeared in an item folder (or left it): look at the ones the project lacks."""
        if self.session is None:
            return
        for path in Path(folder).glob("*"):
            rel = f"{Path(folder).name}/{path.name}"
            if path.suffix in (".yaml", ".yml", ".md") and self.session.key_of_rel(rel) is None:
                self._changed.add(str(path))
        self.change_timer.start()

    def check_external_changes(self, paths: list[str] | None = None) -> list[str]:
        """Ask about files changed by someone else; returns the reloaded relative paths."""
        if self.session is None:
            return []
        paths = sorted(set(paths or []) | self._changed)
        self._changed.clear()
        reloaded = []
        for path in paths:
            if self.session.is_own_write(path):
                continue
            rel = Path(path).resolve().relative_to(self.session.root).as_posix()
            key = self.session.key_of_rel(rel)
            if key is None:
                # fixed outside, or a new file (a simulation written by hand or by the CLI):
                # load it, no question; nothing of it was in the app
                if Path(path).is_file() and self.session.adopt_file(rel):
                    reloaded.append(rel)
                self.validate()
                continue
            if self.prompts.external_change(rel, self.session.is_key_dirty(key)):
                if self.session.reload_from_disk(rel):
                    reloaded.append(rel)
            else:
                self.session.mark_own_write(Path(path))   # don't ask again for this version
        self._watch_files()
        return reloaded
