"""A tree model over one procedure's steps: steps, and under a condition its branches.

Field edits repaint one row (dataChanged); structure changes rebuild the node
tree (fast even for hundreds of steps) while the view keeps expansion and
selection by step id. Drops become MoveStep / InsertSteps commands.
"""
from __future__ import annotations

import itertools
import json
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, Qt

from studio.core.steps import ConditionStep

from studio.document import commands as cmd
from studio.document.clipboard import MIME_STEPS, steps_from_yaml, steps_to_yaml
from studio.document.session import ProjectSession
from studio.document.tree_ops import Container, is_inside, locate
from .step_text import INLINE_FIELD, headline

NODE_ROLE = Qt.UserRole + 1
STEP_ROLE = Qt.UserRole + 2
PROBLEMS_ROLE = Qt.UserRole + 3
MARK_ROLE = Qt.UserRole + 4
COVERAGE_ROLE = Qt.UserRole + 5
DEPTH_ROLE = Qt.UserRole + 6


_uids = itertools.count(1)


COVERAGE_TIPS = {"covered": "Coverage: a passing simulation reaches this step",
                 "failing": "Coverage: only failing simulations reach this step",
                 "uncovered": "Coverage: no simulation reaches this step (Coverage → Suggest simulations)"}

class Node:
    """One row. Indexes carry the node's `uid` (never a pointer), so a stale index is harmless."""
    __slots__ = ("step", "branch", "parent", "children", "row", "depth", "uid")

    def __init__(self, step: Any, branch: int | None, parent: "Node | None", row: int, depth: int):
        self.step, self.branch, self.parent, self.row, self.depth = step, branch, parent, row, depth
        self.children: list[Node] = []
        self.uid = next(_uids)

    @property
    def is_branch(self) -> bool:
        return self.branch is not None

    @property
    def key(self) -> str:
        return f"{self.step.id}#{self.branch}" if self.is_branch else self.step.id

    @property
    def container(self) -> Container:
        """For a branch node: the container its children live in."""
        return (self.step.id, self.branch) if self.is_branch else None


class StepTreeModel(QAbstractItemModel):
    def __init__(self, session: ProjectSession, procedure_id: str, parent=None):
        super().__init__(parent)
        self.session, self.procedure_id = session, procedure_id
        self.roots: list[Node] = []
        self.by_key: dict[str, Node] = {}
        self.problems: dict[str, list] = {}
        self.marks: dict[str, str] = {}
        self.coverage: dict[str, str] = {}
        self._build()

    @property
    def procedure(self):
        return self.session.project.procedures.get(self.procedure_id)

    # -- building ---------------------------------------------------------------
    def _build(self) -> None:
        self.by_key = {}
        self.by_uid: dict[int, Node] = {}
        procedure = self.procedure
        self.roots = self._nodes(procedure.steps if procedure else [], None, 0)

    def _nodes(self, steps: list, parent: Node | None, depth: int) -> list[Node]:
        out = []
        for row, step in enumerate(steps):
            node = Node(step, None, parent, row, depth)
            self.by_key[node.key] = node
            self.by_uid[node.uid] = node
            if isinstance(step, ConditionStep):
                for b, branch in enumerate(step.branches):
                    bnode = Node(step, b, node, b, depth + 1)
                    self.by_key[bnode.key] = bnode
                    self.by_uid[bnode.uid] = bnode
                    bnode.children = self._nodes(branch.steps, bnode, depth + 2)
                    node.children.append(bnode)
            out.append(node)
        return out

    def rebuild(self) -> None:
        self.beginResetModel()
        self._build()
        self.endResetModel()

    def step_changed(self, step_id: str) -> None:
        node = self.by_key.get(step_id)
        if node is None:
            return self.rebuild()
        fresh = self.procedure.find_step(step_id) if self.procedure else None
        if fresh is not node.step:
            return self.rebuild()
        index = self.createIndex(node.row, 0, node.uid)
        self.dataChanged.emit(index, index)
        for child in node.children:   # branch headers show the `when`
            ci = self.createIndex(child.row, 0, child.uid)
            self.dataChanged.emit(ci, ci)

    # -- marks painted by other panels -------------------------------------------
    def set_problems(self, by_step: dict[str, list]) -> None:
        self.problems = by_step
        self._repaint_all()

    def set_marks(self, marks: dict[str, str]) -> None:
        self.marks = dict(marks)
        self._repaint_all()

    def set_coverage(self, coverage: dict[str, str]) -> None:
        self.coverage = dict(coverage)
        self._repaint_all()

    def _repaint_all(self) -> None:
        for node in self.by_key.values():
            index = self.createIndex(node.row, 0, node.uid)
            self.dataChanged.emit(index, index)

    # -- QAbstractItemModel ------------------------------------------------------
    def index(self, row, column, parent=QModelIndex()):
        siblings = self._children(parent)
        if column != 0 or not 0 <= row < len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row].uid)

    def parent(self, index=QModelIndex()):
        if not index.isValid():
            return QModelIndex()
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent.uid)

    def _children(self, parent: QModelIndex) -> list[Node]:
        if not parent.isValid():
            return self.roots
        node = self.node(parent)
        return node.children if node is not None else []

    def rowCount(self, parent=QModelIndex()):
        if parent.column() > 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent=QModelIndex()):
        return 1

    def node(self, index: QModelIndex) -> Node | None:
        return self.by_uid.get(index.internalId()) if index.isValid() else None

    def index_of(self, key: str) -> QModelIndex:
        node = self.by_key.get(key)
        return self.createIndex(node.row, 0, node.uid) if node else QModelIndex()

    def data(self, index, role=Qt.DisplayRole):
        node = self.node(index)
        if node is None:
            return None
        step = node.step
        if role == NODE_ROLE:
            return node
        if role == STEP_ROLE:
            return step
        if role == DEPTH_ROLE:
            return node.depth
        if role == Qt.DisplayRole:
            return step.branches[node.branch].when if node.is_branch else headline(step)
        if role == Qt.EditRole:
            if node.is_branch:
                return step.branches[node.branch].when
            field = INLINE_FIELD.get(step.kind)
            return (getattr(step, field) or "") if field else None
        if node.is_branch:
            return None
        if role == PROBLEMS_ROLE:
            return self.problems.get(step.id, [])
        if role == MARK_ROLE:
            return self.marks.get(step.id)
        if role == COVERAGE_ROLE:
            return self.coverage.get(step.id)
        if role == Qt.ToolTipRole:
            lines = [p.message for p in self.problems.get(step.id) or []]
            if self.coverage.get(step.id) in COVERAGE_TIPS:
                lines.append(COVERAGE_TIPS[self.coverage[step.id]])
            return "\n".join(lines) or None
        return None

    def setData(self, index, value, role=Qt.EditRole):
        node = self.node(index)
        if node is None or role != Qt.EditRole:
            return False
        if node.is_branch:
            if node.step.branches[node.branch].is_else:
                return False
            self.session.push(cmd.SetBranchWhen(self.session, self.procedure_id, node.step.id,
                                                node.branch, str(value)))
            return True
        field = INLINE_FIELD.get(node.step.kind)
        if not field or (getattr(node.step, field) or "") == value:
            return False
        value = value or (None if field in ("say", "text") and node.step.kind != "instruction" else "")
        self.session.push(cmd.SetStepField(self.session, self.procedure_id, node.step.id, field,
                                           value, merge=False))
        return True

    def flags(self, index):
        node = self.node(index)
        if node is None:
            return Qt.ItemIsDropEnabled
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDropEnabled
        if node.is_branch:
            return base | (Qt.NoItemFlags if node.step.branches[node.branch].is_else
                           else Qt.ItemIsEditable)
        flags = base | Qt.ItemIsDragEnabled
        if node.step.kind in INLINE_FIELD:
            flags |= Qt.ItemIsEditable
        return flags

    # -- drag and drop -----------------------------------------------------------
    def supportedDropActions(self):
        return Qt.MoveAction | Qt.CopyAction

    def supportedDragActions(self):
        return Qt.MoveAction | Qt.CopyAction

    def mimeTypes(self):
        return [MIME_STEPS, "text/plain"]

    def mimeData(self, indexes):
        nodes = [self.node(i) for i in indexes]
        steps = [n.step for n in nodes if n is not None and not n.is_branch]
        return self.steps_mime(steps)

    def steps_mime(self, steps: list) -> QMimeData:
        mime = QMimeData()
        text = steps_to_yaml(steps)
        payload = {"procedure": self.procedure_id, "ids": [s.id for s in steps], "yaml": text}
        mime.setData(MIME_STEPS, json.dumps(payload).encode("utf-8"))
        mime.setText(text)
        return mime

    def removeRows(self, row, count, parent=QModelIndex()):
        return False   # moves are done by the drop's command, never by the view

    def drop_target(self, row: int, parent: QModelIndex) -> tuple[Container, int] | None:
        """Where a drop at (row, parent) puts steps: (container, index in it)."""
        node = self.node(parent)
        if node is None:
            return None, (len(self.roots) if row < 0 else row)
        if node.is_branch:
            return node.container, (len(node.children) if row < 0 else row)
        if row >= 0:   # between the branches of a condition: not a place for steps
            return None
        container, index = locate(self.procedure, node.step.id)
        return container, index + 1

    def canDropMimeData(self, data, action, row, column, parent):
        if not data.hasFormat(MIME_STEPS):
            return False
        target = self.drop_target(row, parent)
        if target is None:
            return False
        payload = json.loads(bytes(data.data(MIME_STEPS)).decode("utf-8"))
        if payload["procedure"] != self.procedure_id:
            return True
        return not any(is_inside(self.procedure, target[0], sid) for sid in payload["ids"])

    def dropMimeData(self, data, action, row, column, parent):
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        container, index = self.drop_target(row, parent)
        payload = json.loads(bytes(data.data(MIME_STEPS)).decode("utf-8"))
        if payload["procedure"] == self.procedure_id and action == Qt.MoveAction:
            self.move_steps(payload["ids"], container, index)
        else:
            steps = steps_from_yaml(payload["yaml"], self.procedure.step_ids())
            if not steps:
                return False
            self.session.push(cmd.InsertSteps(self.session, self.procedure_id, container, index,
                                              steps, "Copy steps"))
        return True

    def move_steps(self, ids: list[str], container: Container, index: int) -> None:
        """Move steps (in document order) to `index` of `container`, as one undo step."""
        ids = [i for i in ids if not any(
            j != i and i in _nested_ids(self.procedure, j) for j in ids)]   # parents carry children
        with self.session.macro("Move steps" if len(ids) > 1 else "Move step"):
            for step_id in ids:
                origin = locate(self.procedure, step_id)
                self.session.push(cmd.MoveStep(self.session, self.procedure_id, step_id,
                                               container, index))
                if not (origin[0] == container and origin[1] < index):
                    index += 1


def _nested_ids(procedure, step_id: str) -> set[str]:
    from studio.document.tree_ops import descendant_ids
    step = procedure.find_step(step_id)
    return descendant_ids(step) - {step_id} if step else set()
