"""The "what to do" hint follows the stored fault code, never the message's words; every
code a result can carry has its own hint."""
from studio.library.error_codes import CODES
from studio.ui.panels.run_errors import CODE_HINTS, DEFAULT, error_hint


def test_the_hint_follows_the_reason_code_not_the_words():
    assert error_hint("rate_limit") == CODE_HINTS["rate_limit"]
    assert error_hint("auth") != error_hint("timeout")
    assert error_hint(None) == DEFAULT and error_hint("no-such-code") == DEFAULT


def test_every_stored_code_has_its_hint():
    assert set(CODES) <= set(CODE_HINTS)
    hinted = {code for code in CODES if code != "engine"}
    assert all(CODE_HINTS[code] != DEFAULT for code in hinted)
