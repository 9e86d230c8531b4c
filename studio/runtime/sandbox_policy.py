"""What a code snippet may contain: the policy lives in studio/core/snippet_policy.py
(validation uses it too); this name stays for existing importers."""
from studio.core.snippet_policy import (  # noqa: F401
    ALLOWED_MODULES, DENIED_ATTRIBUTES, DENIED_NAMES, Blocked, check_tree, imported_names,
    top_level_assignments,
)
