"""The runner's "what to do" hint follows the fault's reason code; old results fall back to text."""
from studio.ui.panels.run_errors import CODE_HINTS, DEFAULT, error_hint


def test_the_hint_follows_the_reason_code_not_the_words():
    message = "model error during route (rate_limit): provider said: too many requests"
    assert error_hint(message, "rate_limit") == CODE_HINTS["rate_limit"]
    assert error_hint("the model timed out", "auth") == CODE_HINTS["auth"]   # the code decides
    assert error_hint("connection refused") == CODE_HINTS["connection"]      # no code: the text
    assert error_hint("something else entirely") == DEFAULT
