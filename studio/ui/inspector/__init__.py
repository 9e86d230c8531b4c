"""The inspector: a form per step kind and the procedure's own settings."""
