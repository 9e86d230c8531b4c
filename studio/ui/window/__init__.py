"""The main window's controllers: each owns one concern of the window (documents,
file commands, the start page, layout and theme), so main_window.py only builds the
widgets and connects them."""
