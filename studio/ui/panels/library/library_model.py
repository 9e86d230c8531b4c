"""Table model of every simulation with its last verdict, updated in batches
as run-all results arrive (the view never re-reads the whole library)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush

from ...theme import qcolor

COLUMNS = ("Name", "Procedure", "Tags", "Last status", "Duration", "Flaky")
STATUS_COLOURS = {"passed": "#1e7b34", "failed": "#b3261e", "error": "#b35c00",
                  "running": "#2f5d8f", "queued": "#7a8590", "": "#7a8590"}
STATUS_RANK = {"error": 0, "failed": 1, "running": 2, "queued": 3, "passed": 4, "": 5}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class Row:
    name: str
    procedure: str | None
    tags: list[str]
    status: str = ""                 # passed / failed / error / running / queued / "" (never run)
    duration_ms: float | None = None
    flaky: bool = False
    run_id: int | None = None
    statuses: list[str] = field(default_factory=list)   # this run's verdicts across repeats
    previous: tuple | None = None    # verdict before the current run, restored on cancel
    error: str | None = None         # why the latest run ended in `error` (for people)
    error_code: str | None = None    # what kind of fault (library/error_codes.py): the hint's key


def aggregate(statuses: list[str]) -> str:
    """The verdict of a row while a run folds results into it (the library's rule)."""
    from studio.library.records import aggregate_status   # not at start-up: it opens sqlite
    return aggregate_status(statuses) if statuses else ""


def latest_statuses(library: Any) -> dict[str, Row]:
    """Each simulation's latest verdict, as the library defines it (`latest_verdicts`),
    with that result's duration, error and flakiness for the other columns."""
    verdicts = library.latest_verdicts()
    details = library.latest_result_rows()
    out: dict[str, Row] = {}
    for row in details:
        item = out.setdefault(row["simulation"], Row(row["simulation"], None, [], run_id=row["run_id"]))
        item.statuses.append(row["status"])
        if item.error is None and row["error"]:
            item.error, item.error_code = row["error"], row["error_code"]
        item.duration_ms = max(item.duration_ms or 0.0, row["duration_ms"] or 0.0)
    for name, verdict in verdicts.items():
        item = out.setdefault(name, Row(name, None, []))
        item.status = verdict
        item.flaky = len(set(item.statuses)) > 1
    return out


class LibraryModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Row] = []
        self._index: dict[str, int] = {}

    # -- loading --------------------------------------------------------------
    def load(self, records: Iterable[Any], last: dict[str, Row]) -> None:
        self.beginResetModel()
        self.rows = []
        for rec in records:
            prev = last.get(rec.name)
            self.rows.append(Row(rec.name, rec.procedure, list(rec.tags),
                                 status=prev.status if prev else "",
                                 duration_ms=prev.duration_ms if prev else None,
                                 flaky=prev.flaky if prev else False,
                                 run_id=prev.run_id if prev else None,
                                 error=prev.error if prev else None,
                                 error_code=prev.error_code if prev else None))
        self._index = {r.name: i for i, r in enumerate(self.rows)}
        self.endResetModel()

    def row_of(self, name: str) -> Row | None:
        i = self._index.get(name)
        return self.rows[i] if i is not None else None

    def mark_queued(self, names: Iterable[str]) -> None:
        rows = []
        for name in names:
            i = self._index.get(name)
            if i is not None:
                row = self.rows[i]
                row.previous = (row.status, row.duration_ms, row.flaky, row.run_id)
                row.status, row.statuses = "queued", []
                rows.append(i)
        self._changed(rows)

    def apply_results(self, records: Iterable[Any]) -> None:
        """Fold a batch of ResultRecords into the rows; one dataChanged per batch."""
        touched = []
        for rec in records:
            i = self._index.get(rec.simulation)
            if i is None:
                continue
            row = self.rows[i]
            row.statuses.append(rec.status)
            row.status = aggregate(row.statuses)
            row.flaky = len(set(row.statuses)) > 1
            row.duration_ms = rec.result.duration_ms
            row.run_id = rec.run_id
            if rec.result.error or len(row.statuses) == 1:
                row.error, row.error_code = rec.result.error, rec.result.error_code
            touched.append(i)
        self._changed(touched)

    def clear_pending(self) -> None:
        """After a cancel: rows that never ran go back to no verdict."""
        touched = [i for i, r in enumerate(self.rows) if r.status in ("queued", "running")]
        for i in touched:
            row = self.rows[i]
            row.status, row.duration_ms, row.flaky, row.run_id = row.previous or ("", None, False, None)
        self._changed(touched)

    def names(self) -> set[str]:
        return set(self._index)

    def _changed(self, rows: list[int]) -> None:
        """One dataChanged per run of adjacent rows: views only redo those rows."""
        if not rows:
            return
        last = len(COLUMNS) - 1
        rows = sorted(set(rows))
        start = prev = rows[0] if rows else None
        for row in rows[1:] + [None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            self.dataChanged.emit(self.index(start, 0), self.index(prev, last))
            start = prev = row

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here in Python (one C-level sort) rather than by the proxy's per-pair calls."""
        keys = (lambda r: r.name.lower(), lambda r: (r.procedure or "", r.name.lower()),
                lambda r: (", ".join(r.tags), r.name.lower()),
                lambda r: (STATUS_RANK.get(r.status, 9), r.name.lower()),
                lambda r: (r.duration_ms if r.duration_ms is not None else -1.0),
                lambda r: (not r.flaky, r.name.lower()))
        self.layoutAboutToBeChanged.emit()
        old = {id(r): i for i, r in enumerate(self.rows)}
        self.rows.sort(key=keys[column], reverse=order == Qt.SortOrder.DescendingOrder)
        moved = {old[id(r)]: i for i, r in enumerate(self.rows)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent, [self.index(moved[p.row()], p.column()) for p in persistent])
        self._index = {r.name: i for i, r in enumerate(self.rows)}
        self.layoutChanged.emit()

    # -- Qt model -------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QBrush(qcolor(STATUS_COLOURS.get(row.status, "#7a8590")))
        if role == Qt.ItemDataRole.ForegroundRole and col == 5 and row.flaky:
            return QBrush(qcolor("#b26a00"))
        if role == Qt.ItemDataRole.FontRole and col in (3, 5):
            from PySide6.QtGui import QFont
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and col == 5 and row.flaky:
            return "Different verdicts across repeats: " + ", ".join(row.statuses)
        if role == Qt.ItemDataRole.ToolTipRole and col == 3 and row.status == "error" and row.error:
            from ..run_errors import error_hint, short_error
            return f"{short_error(row.error)}\n\nWhat to do: {error_hint(row.error_code)}"
        if role == Qt.ItemDataRole.ToolTipRole and col in (0, 1, 2):
            return self._text(row, col) + ("\nDouble-click to open it in the runner" if col == 0 else "")
        return None

    @staticmethod
    def _text(row: Row, col: int) -> str:
        if col == 0:
            return row.name
        if col == 1:
            return row.procedure or "—"
        if col == 2:
            return ", ".join(row.tags)
        if col == 3:
            label = {"": "not run", "queued": "queued…"}.get(row.status, row.status)
            return ("● " + label) if row.status in ("passed", "failed", "error") else label
        if col == 4:
            return "" if row.duration_ms is None or row.status in ("queued",) else f"{row.duration_ms:.0f} ms"
        if col == 5:
            return "⚑ flaky" if row.flaky else ""
        return ""


class LibraryFilter(QSortFilterProxyModel):
    """Filters by procedure, tag, status and the set of names full-text search found."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.procedure: str | None = None
        self.tag: str | None = None
        self.status: str | None = None
        self.names: set[str] | None = None
        self.setDynamicSortFilter(False)    # re-filtered explicitly; live updates stay cheap

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

    def set_filters(self, *, procedure=None, tag=None, status=None, names=None) -> None:
        if hasattr(self, "beginFilterChange"):     # Qt >= 6.9
            self.beginFilterChange()
            self.procedure, self.tag, self.status, self.names = procedure, tag, status, names
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.procedure, self.tag, self.status, self.names = procedure, tag, status, names
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        row: Row = self.sourceModel().rows[source_row]
        if self.procedure and row.procedure != self.procedure:
            return False
        if self.tag and self.tag not in row.tags:
            return False
        if self.status:
            wanted = {"not run": ""}.get(self.status, self.status)
            if self.status == "flaky":
                if not row.flaky:
                    return False
            elif row.status != wanted:
                return False
        if self.names is not None and row.name not in self.names:
            return False
        return True
