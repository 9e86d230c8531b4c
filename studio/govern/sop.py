"""`procedures.md`: each procedure as a readable SOP, for people and for platforms that take
instructions in plain language. Numbered steps, branches as "If …: … Otherwise: …" with
the conditions in words, checkpoints and handoffs called out."""
from __future__ import annotations

import textwrap
from typing import Any

from studio.core.connector import Connector
from studio.core.knowledge import Article
from studio.core.plain_words import describe_condition
from studio.core.procedure import Procedure
from studio.core.steps import (CheckpointStep, CodeStep, ConditionStep, ConnectorStep, EndStep,
                               InstructionStep, KnowledgeStep, SubprocedureStep, SwitchStep)

def _quote(text: str) -> str:
    return '"' + " ".join(text.split()) + '"'


class SopWriter:
    def __init__(self, procedures: dict[str, Procedure], connectors: dict[str, Connector],
                 articles: dict[str, Article]):
        self.procedures = procedures
        self.connectors = connectors
        self.articles = articles
        self.variables: dict[str, Any] = {}

    def in_words(self, expression: str) -> str:
        return describe_condition(expression, self.variables)

    def title_of(self, procedure_id: str) -> str:
        proc = self.procedures.get(procedure_id)
        return f"*{proc.title or procedure_id}* (`{procedure_id}`)" if proc else f"`{procedure_id}`"

    def step_text(self, step: Any) -> str:
        if isinstance(step, InstructionStep):
            parts = [step.text.strip()]
            if step.say:
                parts.append(f"Say: {_quote(step.say)}")
            if step.collect:
                parts.append(f"Collect: {', '.join(step.collect)}. If they are still missing "
                             f"after {step.attempts} replies, hand over to a teammate.")
            return " ".join(parts)
        if isinstance(step, ConnectorStep):
            conn = self.connectors.get(step.connector)
            what = f" ({conn.description.strip()})" if conn and conn.description else ""
            inputs = ", ".join(f"{k} = {v}" for k, v in step.inputs.items())
            text = f"Call **{step.connector}**{what}" + (f" with {inputs}" if inputs else "")
            if step.save_as:
                text += f"; call the answer *{step.save_as}*"
            return text + (". If the call fails, hand over to a teammate." if step.on_error == "handoff"
                           else ". If the call fails, carry on without it.")
        if isinstance(step, CodeStep):
            lines = [line.rstrip() for line in step.code.strip("\n").splitlines() if line.strip()]
            notes = [line.strip().lstrip("# ") for line in lines if line.strip().startswith("#")]
            code = [line for line in lines if not line.strip().startswith("#")]
            head = "Work out" + (f" ({'; '.join(notes)})" if notes else "")
            if any(line.endswith(":") for line in code):     # an if/else keeps its lines
                return head + ":\n```python\n" + textwrap.dedent("\n".join(code)) + "\n```"
            return head + f": `{'; '.join(line.strip() for line in code)}`"
        if isinstance(step, KnowledgeStep):
            art = self.articles.get(step.article)
            name = f"*{art.title}* (`{step.article}`)" if art else f"`{step.article}`"
            return f"Use the knowledge article {name}" + (f": {step.text.strip()}" if step.text else ".")
        if isinstance(step, CheckpointStep):
            if step.mode == "approval":
                text = (f"**Approval checkpoint:** ask a teammate to approve: {_quote(step.note)}. "
                        "If it is rejected, hand over to a teammate.")
            else:
                text = f"**Handoff:** pass the conversation to a teammate with the note {_quote(step.note)}."
            return text + (f" Say: {_quote(step.say)}" if step.say else "")
        if isinstance(step, SubprocedureStep):
            return f"Follow the procedure {self.title_of(step.procedure)}, then continue here."
        if isinstance(step, SwitchStep):
            return f"**Switch** to the procedure {self.title_of(step.to)}."
        if isinstance(step, EndStep):
            text = f"**End** the conversation ({step.outcome})."
            return text + (f" Say: {_quote(step.say)}" if step.say else "")
        return f"({getattr(step, 'kind', 'step')})"

    def steps(self, steps: list[Any], prefix: str, depth: int) -> list[str]:
        pad = "   " * depth
        lines = []
        for index, step in enumerate(steps, 1):
            number = f"{prefix}{index}"
            only = f"Only if {self.in_words(step.when)}: " if step.when else ""
            if isinstance(step, ConditionStep):
                lines.append(f"{pad}{number}. {only}Check the situation (`{step.id}`):")
                for b_index, branch in enumerate(step.branches):
                    if branch.is_else:
                        head = "**Otherwise:**"
                    else:
                        head = ("**If**" if b_index == 0 else "**Otherwise, if**") + \
                            f" {self.in_words(branch.when)}:"
                    lines.append(f"{pad}   - {head}")
                    lines.extend(self.steps(branch.steps, f"{number}.{b_index + 1}.", depth + 2)
                                 or [f"{pad}      (nothing to do)"])
                if not any(b.is_else for b in step.branches):
                    lines.append(f"{pad}   - **Otherwise:** carry on with the next step.")
                continue
            first, *more = self.step_text(step).split("\n")
            lines.append(f"{pad}{number}. {only}{first} <!-- {step.id} -->")
            indent = " " * (len(pad) + len(number) + 2)        # inside the numbered item
            lines.extend(indent + line for line in more)
        return lines

    def procedure(self, proc: Procedure) -> str:
        self.variables = proc.variables
        lines = [f"## {proc.title or proc.id} (`{proc.id}`)", ""]
        if proc.description:
            lines += [proc.description.strip(), ""]
        if proc.trigger.description or proc.trigger.examples:
            use = proc.trigger.description.strip()
            examples = "; ".join(_quote(e) for e in proc.trigger.examples)
            lines += [f"**When to use:** {use}" + (f" For example: {examples}." if examples else ""), ""]
        if proc.channels:
            lines += [f"**Channels:** {', '.join(proc.channels)}", ""]
        if proc.variables:
            lines.append("**Information to collect or work out:**")
            for name, var in proc.variables.items():
                extra = f" ({var.description.strip()})" if var.description else ""
                lines.append(f"- {name}: {var.type}{extra}")
            lines.append("")
        if proc.switch_rules:
            lines.append("**At any point:**")
            for rule in proc.switch_rules:
                why = []
                if rule.keywords:
                    why.append("the customer mentions " + " or ".join(rule.keywords))
                if rule.when:
                    why.append(self.in_words(rule.when))
                note = f" ({rule.description.strip().rstrip('.')})" if rule.description else ""
                lines.append(f"- If {' or '.join(why) or 'asked'}{note}, switch to "
                             f"{self.title_of(rule.to)}.")
            lines.append("")
        lines += ["**Steps:**", ""] + (self.steps(proc.steps, "", 0) or ["(no steps)"])
        return "\n".join(lines) + "\n"


def render_sop(project_name: str, environment: str, procedures: dict[str, Procedure],
               connectors: dict[str, Connector], articles: dict[str, Article]) -> str:
    writer = SopWriter(procedures, connectors, articles)
    head = [f"# {project_name}: procedures approved for {environment}", "",
            "Each procedure below is a standard operating procedure for the support agent. "
            "Follow the numbered steps in order; a step marked **Only if** is skipped when its "
            "condition does not hold.", "", ""]
    return "\n".join(head) + "\n".join(writer.procedure(procedures[p]) for p in sorted(procedures))
