"""Names an expression may use in a project, for completion and "unknown name" warnings."""
from __future__ import annotations

from studio.core.project import Project
from studio.core.snippets import analyze_snippet


def project_names(project: Project) -> tuple[set[str], list[str]]:
    """(root names something sets, completion words incl. `order.total` and `customer.plan`)."""
    roots: set[str] = {"customer"}
    words: set[str] = set()
    for procedure in project.procedures.values():
        roots.update(procedure.variables)
        for step in procedure.all_steps():
            roots.update(getattr(step, "collect", None) or [])
            if step.kind == "connector" and step.save_as:
                roots.add(step.save_as)
                connector = project.connectors.get(step.connector)
                if connector is not None:
                    words.update(f"{step.save_as}.{f}" for f in connector.sample_fields())
            elif step.kind == "code":
                info = analyze_snippet(step.code)
                roots.update(info.assigns)
    for attrs in project.settings.segments.values():
        words.update(f"customer.{k}" for k in attrs)
    words |= roots
    return roots, sorted(words)
