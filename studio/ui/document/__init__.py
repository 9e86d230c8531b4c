"""The editing model of the app: a loaded project, its undo commands and its files.

Qt-free except for QUndoCommand/QUndoStack (the undo framework is the one Qt
piece worth reusing); views never change the project directly, they push a
command from `commands.py` and repaint from the session's psygnal events.
"""
