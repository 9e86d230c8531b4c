"""The nine step kinds of a procedure, as a discriminated union on `kind`.

Each kind's label, colour, defaults, summary, inspector fields and engine
handler are its registry entry (step_specs.py); a kind registered later with
a class of its own joins the union through `rebuild_step_union`."""
from __future__ import annotations

from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import Field, field_validator, model_serializer

from .base import Model, expression_text
from .ids import Id

STEP_KINDS = (    # the kinds of the v1 format; the app lists step_registry.step_kinds()
    "instruction", "condition", "connector", "code", "knowledge",
    "checkpoint", "subprocedure", "switch", "end",
)
OUTCOMES = ("resolved", "handoff", "unresolved")


class StepBase(Model):
    id: Id
    when: str | None = None

    _expr = field_validator("when", mode="before")(lambda cls, v: expression_text(v))

    @model_serializer(mode="wrap")
    def _ordered(self, handler):
        """Keep `id` and `kind` first and always written, whatever the defaults."""
        data = handler(self)
        head = {"id": self.id, "kind": self.kind}  # type: ignore[attr-defined]
        return head | {k: v for k, v in data.items() if k not in head}

    def children(self) -> list[list["Step"]]:
        return []


class InstructionStep(StepBase):
    kind: Literal["instruction"] = "instruction"
    text: str
    say: str | None = None
    collect: list[str] = Field(default_factory=list)
    attempts: int = Field(default=3, ge=1, le=20)


class Branch(Model):
    when: str
    steps: list["Step"] = Field(default_factory=list)

    _expr = field_validator("when", mode="before")(lambda cls, v: expression_text(v))

    @property
    def is_else(self) -> bool:
        return self.when.strip() == "else"

    @model_serializer(mode="wrap")
    def _full(self, handler):
        data = handler(self)
        return {"when": self.when, "steps": data.get("steps", [])}


class ConditionStep(StepBase):
    kind: Literal["condition"] = "condition"
    branches: list[Branch] = Field(default_factory=list)

    def children(self) -> list[list["Step"]]:
        return [b.steps for b in self.branches]


class ConnectorStep(StepBase):
    kind: Literal["connector"] = "connector"
    connector: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    save_as: str | None = None
    on_error: Literal["handoff", "continue"] = "handoff"


class CodeStep(StepBase):
    kind: Literal["code"] = "code"
    code: str


class KnowledgeStep(StepBase):
    kind: Literal["knowledge"] = "knowledge"
    article: str
    text: str | None = None


class CheckpointStep(StepBase):
    kind: Literal["checkpoint"] = "checkpoint"
    mode: Literal["approval", "handoff"]
    note: str = ""
    say: str | None = None


class SubprocedureStep(StepBase):
    kind: Literal["subprocedure"] = "subprocedure"
    procedure: str


class SwitchStep(StepBase):
    kind: Literal["switch"] = "switch"
    to: str


class EndStep(StepBase):
    kind: Literal["end"] = "end"
    outcome: Literal["resolved", "handoff", "unresolved"] = "resolved"
    say: str | None = None


Step = Annotated[
    Union[
        InstructionStep, ConditionStep, ConnectorStep, CodeStep, KnowledgeStep,
        CheckpointStep, SubprocedureStep, SwitchStep, EndStep,
    ],
    Field(discriminator="kind"),
]

STEP_CLASSES: dict[str, type[StepBase]] = {
    "instruction": InstructionStep, "condition": ConditionStep, "connector": ConnectorStep,
    "code": CodeStep, "knowledge": KnowledgeStep, "checkpoint": CheckpointStep,
    "subprocedure": SubprocedureStep, "switch": SwitchStep, "end": EndStep,
}

Branch.model_rebuild()
ConditionStep.model_rebuild()


def rebuild_step_union(classes: dict[str, type]) -> None:
    """Make `Step` the union of `classes` and rebuild the models holding steps,
    so files with a newly registered kind load (and one taken out again does not)."""
    global Step
    from .procedure import Procedure
    STEP_CLASSES.clear()
    STEP_CLASSES.update(classes)
    Step = Annotated[Union[tuple(classes.values())], Field(discriminator="kind")]  # type: ignore[valid-type]
    for model in (Branch, Procedure):
        model.model_fields["steps"].annotation = list[Step]
    for model in (Branch, ConditionStep, Procedure):
        model.model_rebuild(force=True)


def walk_steps(steps: list[Any], path: tuple = ("steps",)) -> Iterator[tuple[tuple, Any]]:
    """Every step, depth first in document order, with its path in the file."""
    for index, step in enumerate(steps):
        here = path + (index,)
        yield here, step
        if isinstance(step, ConditionStep):
            for b_index, branch in enumerate(step.branches):
                yield from walk_steps(branch.steps, here + ("branches", b_index, "steps"))
