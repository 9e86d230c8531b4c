"""Dock panels of the main window (project tree, problems, and those added later)."""


def install_panels(window):
    """Test-half panels (runner, simulation editor, library, coverage, reports) as docks.
    Lazy so importing this package costs nothing at start-up; see install.py."""
    from .install import install_panels as install
    return install(window)
