"""JSON Schema of each file kind, from the pydantic models, so editors such as
VS Code (YAML extension) validate and complete project files as they are typed."""
from __future__ import annotations

from typing import Any

from .connector import Connector
from .procedure import Procedure
from .settings import ProjectSettings
from .simulation import Simulation

MODELS = {"studio": ProjectSettings, "procedure": Procedure, "connector": Connector,
          "simulation": Simulation}
SCHEMA_KINDS = tuple(MODELS)

TITLES = {
    "studio": ("studio.yaml", "Procedure Studio project settings (studio/v1)."),
    "procedure": ("Procedure", "A customer-service procedure: trigger, variables, switch rules and "
                               "steps (procedure/v1). File: procedures/<id>.yaml."),
    "connector": ("Data connector", "What a connector takes, how to call it for real, and its default "
                                    "mock (connector/v1). File: connectors/<id>.yaml."),
    "simulation": ("Simulation", "A scripted or model-played customer, fixtures and expectations "
                                 "(simulation/v1). File: simulations/<name>.yaml."),
}

_EXPR = "An expression (Python syntax: names, dotted access, comparisons, and/or/not, arithmetic, in, " \
        "len, lower, upper, round, min, max, abs, matches, is_set)."
_TEMPLATE = "Text with {{ expression }} placeholders."
_WHEN = "Run this step only when the expression is true; a skipped step is not visited. " + _EXPR

# Definition name -> (description, {property: description})
DESCRIPTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "Procedure": ("", {
        "schema": "Format version: procedure/v1.",
        "id": "Unique id; also the file name (lower-case letters, digits, '-', '_').",
        "title": "Human title shown in the app.",
        "trigger": "When this procedure starts: description and example customer messages.",
        "channels": "Channels this procedure serves, e.g. [chat, email].",
        "variables": "Variables the procedure collects or uses, by name.",
        "switch_rules": "Rules that move the conversation to another procedure.",
        "steps": "The steps, run in order.",
    }),
    "Trigger": ("When the procedure starts.", {
        "description": "What the customer's situation is, in plain language.",
        "examples": "Example first messages; the offline engine routes by similarity to these.",
    }),
    "Variable": ("A conversation variable.", {
        "type": "string, number, integer, boolean, enum, email, date, image, file, object or list.",
        "description": "What the value means; guides extraction.",
        "required": "Whether the procedure needs it.",
        "pattern": "Regular expression the value must match; also used for offline extraction.",
        "options": "Allowed values of an enum variable.",
    }),
    "SwitchRule": ("Moves the conversation to another procedure.", {
        "keywords": "Words in a customer message that trigger the switch.",
        "when": "Expression that triggers the switch when true. " + _EXPR,
        "description": "What a model engine listens for.",
        "to": "Id of the procedure to switch to.",
    }),
    "InstructionStep": ("The agent follows `text`, and waits until every `collect` variable is set.", {
        "text": "What the agent should do. " + _TEMPLATE, "say": "The reply to send. " + _TEMPLATE,
        "collect": "Names of declared variables to collect from the customer.",
        "attempts": "Customer turns without the variables before handing off.",
    }),
    "ConditionStep": ("Runs the first branch whose `when` is true; `when: else` is the fallback.", {
        "branches": "Branches tried in order."}),
    "Branch": ("A branch of a condition.", {
        "when": "Expression, or `else` for the last branch. " + _EXPR, "steps": "Steps of this branch."}),
    "ConnectorStep": ("Calls a data connector (mocked in simulations).", {
        "connector": "Id of the connector (connectors/<id>.yaml).",
        "inputs": "Input values by name; templates, e.g. \"{{ order_id }}\".",
        "save_as": "Variable that receives the result.",
        "on_error": "handoff (default) or continue when the call fails.",
    }),
    "CodeStep": ("Runs a small Python snippet; names it assigns become variables.", {
        "code": "Python code; may import only math, decimal, datetime and re."}),
    "KnowledgeStep": ("Puts a knowledge article into the agent's context.", {
        "article": "Id of the article (knowledge/<id>.md).", "text": "Extra guidance. " + _TEMPLATE}),
    "CheckpointStep": ("approval: pause for a decision; handoff: end with a note for a teammate.", {
        "mode": "approval or handoff.", "note": "Internal note for the teammate. " + _TEMPLATE,
        "say": "Reply to the customer. " + _TEMPLATE}),
    "SubprocedureStep": ("Runs another procedure's steps, then returns.", {
        "procedure": "Id of the procedure to run."}),
    "SwitchStep": ("Jumps to another procedure.", {"to": "Id of the procedure to switch to."}),
    "EndStep": ("Ends the conversation.", {
        "outcome": "resolved, handoff or unresolved.", "say": "Last reply. " + _TEMPLATE}),
    "ProjectSettings": ("", {
        "schema": "Format version: studio/v1.", "name": "Project name.",
        "tone": "Style guidance for generated replies.",
        "model": "The engine: offline, or any litellm model id.",
        "segments": "Customer attribute presets for simulations, by name.",
        "real_calls": "Connectors allowed to call the network, and only these hosts.",
        "secrets": "The only secret names {{ secrets.X }} may read (keyring or environment).",
        "fallback": "Reply to a first message that matches no trigger, and how many tries before handoff.",
        "environments": "Approval environments, in promotion order (default staging, production).",
    }),
    "Fallback": ("What an unmatched first message gets.", {
        "say": "The reply asking what the customer needs.",
        "attempts": "Unmatched messages answered before handing off (0: hand off at once).",
    }),
    "ModelSettings": ("Model used by the engine.", {
        "name": "offline, or a litellm model id such as ollama_chat/llama3.",
        "api_base": "Base URL of an OpenAI-compatible server.",
        "judge": "Another model for rubric judging.", "customer": "Another model to play the customer.",
    }),
    "Connector": ("", {
        "schema": "Format version: connector/v1.", "id": "Unique id; also the file name.",
        "description": "What the connector does.", "inputs": "Inputs by name.",
        "request": "The real HTTP call, used only when real calls are enabled.",
        "sample": "Default mock result used in simulations.",
    }),
    "ConnectorInput": ("An input of a connector.", {
        "type": "Type of the value.", "required": "Whether a connector step must provide it."}),
    "ConnectorRequest": ("The real HTTP call.", {
        "url": "URL; " + _TEMPLATE, "headers": "Headers; {{ secrets.NAME }} reads the OS keyring."}),
    "Simulation": ("", {
        "schema": "Format version: simulation/v1.", "name": "What the simulation checks.",
        "procedure": "The procedure it exercises.", "tags": "Labels for filtering.",
        "description": "Why this simulation exists.", "channel": "The channel, e.g. chat or email.",
        "customer": "Who the customer is and what they say.",
        "fixtures": "Connector results and approval decisions.", "expect": "What must happen.",
    }),
    "Customer": ("The simulated customer.", {
        "segment": "A segment from studio.yaml.", "attributes": "customer.<attribute> values.",
        "script": "Turns sent in order: text, or {text, attachments}.",
        "persona": "How a model-played customer behaves.", "goal": "What a model-played customer wants.",
        "facts": "What a model-played customer knows (order numbers, ...).",
    }),
    "Fixtures": ("Inputs from outside the conversation.", {
        "connectors": "Result per connector id; a list is consumed one call at a time.",
        "approvals": "Decision per approval step id: approved or rejected.",
    }),
    "Expectations": ("What must happen; each yields pass, fail or skipped.", {
        "procedure": "The procedure that must trigger.", "outcome": "resolved, handoff or unresolved.",
        "visited": "Step ids that must run (procedure-id.step-id where ambiguous).",
        "not_visited": "Step ids that must not run.", "variables": "Variable values at the end.",
        "connector_calls": "Calls that must happen, with their inputs.",
        "not_called": "Connectors that must not be called.",
        "replies_contain": "Texts the agent's replies must contain (case-insensitive).",
        "replies_not_contain": "Texts no agent reply may contain.",
        "note_contains": "Texts the handoff or approval note must contain.",
        "max_turns": "Most customer turns allowed.", "rubric": "Criteria judged by a model only.",
    }),
}

_STEP_DEFS = {"InstructionStep", "ConditionStep", "ConnectorStep", "CodeStep", "KnowledgeStep",
              "CheckpointStep", "SubprocedureStep", "SwitchStep", "EndStep"}
_EXPRESSION_FIELDS = {("Branch", "when"), ("SwitchRule", "when")} | {(d, "when") for d in _STEP_DEFS}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind: studio, procedure, connector, simulation."""
    if kind not in MODELS:
        raise KeyError(f"unknown kind '{kind}'; choose one of: {', '.join(SCHEMA_KINDS)}")
    model = MODELS[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    defs = schema.get("$defs", {})
    _describe(model.__name__, schema)
    for name, definition in defs.items():
        _describe(name, definition)
        if name in _STEP_DEFS:
            required = definition.setdefault("required", [])
            if "kind" not in required:
                required.insert(0, "kind")
    title, description = TITLES[kind]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://procedure-studio.local/schemas/{kind}.schema.json",
            **schema, "title": title, "description": description}


def _describe(name: str, definition: dict[str, Any]) -> None:
    description, props = DESCRIPTIONS.get(name, ("", {}))
    if description:
        definition["description"] = description
    for prop, schema in definition.get("properties", {}).items():
        text = _WHEN if prop == "when" and name in _STEP_DEFS else props.get(prop)
        if text:
            schema["description"] = text
        if (name, prop) in _EXPRESSION_FIELDS:
            # YAML reads `when: true` as a boolean; the loader accepts it as text.
            schema.pop("type", None)
            schema["anyOf"] = [{"type": "string"}, {"type": "boolean"}, {"type": "number"}] + \
                ([{"type": "null"}] if prop == "when" and name != "Branch" else [])



