"""Which message fills which variable, extraction by type, attempts-then-handoff."""
import pytest

from engine_kit import events, failures, make_project, replies, run
from studio.core.procedure import Variable
from studio.runtime.extraction import extract_value, leading_boolean

SIM_CARD = {
    "title": "No mobile signal",
    "trigger": {"examples": ["my phone has no signal", "no mobile service"]},
    "variables": {"sim_inserted": {"type": "boolean"}, "restarted": {"type": "boolean"},
                  "area": {"type": "string", "pattern": "[A-Z]{2}\\d{1,2}"}},
    "steps": [
        {"id": "ask-area", "kind": "instruction", "text": "Ask the postcode area", "say": "Which postcode area?",
         "collect": ["area"]},
        {"id": "ask-sim", "kind": "instruction", "text": "Ask about the SIM", "say": "Does the phone show a SIM?",
         "collect": ["sim_inserted"]},
        {"id": "ask-restart", "kind": "instruction", "text": "Ask to restart", "say": "Did you restart it?",
         "collect": ["restarted"], "attempts": 2},
        {"id": "done", "kind": "end", "outcome": "resolved", "say": "Thanks, sim={{ sim_inserted }} restarted={{ restarted }}"},
    ],
}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path, procedures={"signal": SIM_CARD})


@pytest.mark.parametrize("text, expected", [
    ("Yes, it says no SIM", True), ("yeah", True), ("Yep!", True), ("Correct.", True), ("sure thing", True),
    ("No", False), ("nope, not at all", False), ("Not really", False), ("  no, it doesn't", False),
    ("my phone shows no signal", None), ("I said yesterday", None), ("Nobody told me", None),
    ("Yesterday it worked", None),
])
def test_boolean_reads_only_the_leading_word(text, expected):
    found = leading_boolean(text)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize("var, text, expected", [
    ({"type": "number"}, "It cost $1,200.50 in total", 1200.5),
    ({"type": "number"}, "about 42 pounds", 42),
    ({"type": "integer"}, "I have 3 kids", 3),
    ({"type": "enum", "options": ["wait", "cancel"]}, "Just cancel it please", "cancel"),
    ({"type": "enum", "options": ["credit_card", "paypal"]}, "I paid by credit card", "credit_card"),
    ({"type": "email"}, "it's jo.park@example.com thanks", "jo.park@example.com"),
    ({"type": "date"}, "born 1990-04-12", "1990-04-12"),
    ({"type": "date"}, "on 12 March 2024", "2024-03-12"),
    ({"type": "date"}, "March 3rd, 2024", "2024-03-03"),
    ({"type": "string", "pattern": "FD-\\d{6}"}, "order FD-123456 please", "FD-123456"),
    ({"type": "integer", "pattern": "#(\\d+)"}, "ticket #42", 42),
    ({"type": "number"}, "no idea", None),
    ({"type": "enum", "options": ["wait", "cancel"]}, "I don't know", None),
])
def test_extraction_by_pattern_then_type(var, text, expected):
    found = extract_value(text, Variable(**var), is_answer=True)
    assert (found[0] if found else None) == expected


def test_first_message_fills_first_collecting_step_only(project):
    # "AB1" in the first message fills ask-area; the leading "No" must not answer ask-sim.
    result = run(project, {"customer": {"script": ["No mobile signal at all in AB1", "yes", "yes"]}})
    assert result.variables == {"area": "AB1", "sim_inserted": True, "restarted": True}
    entered = [e["step"] for e in events(result, "step_entered")]
    assert entered[:2] == ["ask-area", "ask-sim"]
    assert replies(result)[0] == "Does the phone show a SIM?"   # area was not asked again


def test_a_message_fills_only_the_waiting_step(project):
    result = run(project, {"customer": {"script": ["my phone has no signal", "AB1", "Yes, it says no SIM",
                                                   "no"]}})
    assert result.variables["sim_inserted"] is True
    assert result.variables["restarted"] is False        # "Yes" did not also answer the next question
    assert result.turns == 4 and result.outcome == "resolved"


def test_no_signal_mid_sentence_is_not_an_answer(project):
    result = run(project, {"customer": {"script": ["my phone has no signal", "AB1", "the phone shows no signal",
                                                   "yes"]}})
    waits = [e for e in events(result, "waiting") if e["step"] == "ask-sim"]
    assert [w["attempt"] for w in waits] == [0, 1]
    assert replies(result)[2] == "Does the phone show a SIM?"   # asked again
    assert result.variables["sim_inserted"] is True


def test_attempts_then_handoff(project):
    result = run(project, {"customer": {"script": ["my phone has no signal", "AB1", "yes", "hmm", "what?",
                                                   "never mind"]},
                           "expect": {"outcome": "handoff", "not_visited": ["done"],
                                      "note_contains": ["restarted"]}})
    assert result.status == "passed", failures(result)
    assert result.turns == 5                       # two attempts at ask-restart, then handoff
    handoff = events(result, "handoff")[0]
    assert "ask-restart" in handoff["reason"] and "2" in handoff["reason"]


def test_attachment_extracted_fields_and_file_variables(tmp_path):
    project = make_project(tmp_path, procedures={"photo": {
        "trigger": {"examples": ["broken screen"]},
        "variables": {"picture": {"type": "image"}, "cracked": {"type": "boolean"}},
        "steps": [{"id": "ask", "kind": "instruction", "text": "Ask for a photo", "collect": ["picture"]},
                  {"id": "end", "kind": "end", "say": "cracked={{ cracked }} file={{ picture }}"}]}})
    result = run(project, {"customer": {"script": [
        "broken screen", {"text": "here", "attachments": [{"file": "s.png", "extracted": {"cracked": True}}]}]}})
    assert result.variables == {"picture": "s.png", "cracked": True}
    assert replies(result) == ["Ask for a photo", "cracked=yes file=s.png"]   # instruction text when no say


def test_plain_string_takes_the_whole_answer_but_not_the_opening_message(tmp_path):
    project = make_project(tmp_path, procedures={"name": {
        "trigger": {"examples": ["change my address"]},
        "variables": {"name": {"type": "string"}},
        "steps": [{"id": "ask", "kind": "instruction", "text": "Ask the name", "say": "Your name?", "collect": ["name"]},
                  {"id": "end", "kind": "end", "say": "Thanks {{ name }}"}]}})
    result = run(project, {"customer": {"script": ["I need to change my address", "Ana Lima"]}})
    assert result.variables == {"name": "Ana Lima"}
    assert replies(result) == ["Your name?", "Thanks Ana Lima"]


def test_script_running_out_leaves_the_conversation_unresolved(project):
    result = run(project, {"customer": {"script": ["my phone has no signal"]},
                           "expect": {"outcome": "unresolved"}})
    assert result.status == "passed"
    end = events(result, "end")[0]
    assert "ran out" in end["reason"] and "ask-area" in end["reason"]


def test_opening_message_never_answers_a_yes_no_question(tmp_path):
    project = make_project(tmp_path, procedures={"signal": {
        "trigger": {"examples": ["no mobile signal"]},
        "variables": {"sim_inserted": {"type": "boolean"}},
        "steps": [{"id": "ask-sim", "kind": "instruction", "text": "SIM?", "say": "Does it show a SIM?",
                   "collect": ["sim_inserted"]},
                  {"id": "done", "kind": "end", "say": "sim={{ sim_inserted }}"}]}})
    result = run(project, {"customer": {"script": ["No mobile signal since this morning", "Yes, it says no SIM"]}})
    assert replies(result) == ["Does it show a SIM?", "sim=yes"]
