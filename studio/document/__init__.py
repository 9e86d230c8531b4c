"""The editing model of the app: a loaded project, its undo commands and its files.

Qt-free (import-linter forbids Qt here), so the CLI and headless tests use
it too. Views never change the project directly: they push a command from
`commands.py` and repaint from the session's psygnal events; the app wraps
the command stack for Qt's undo framework (studio/ui/undo_adapter.py).
"""
