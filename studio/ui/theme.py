"""Light and dark palettes that follow the system; a step kind's colour is in its registry entry."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from studio.core.step_registry import get_spec

MARK_COLORS = {   # run marks and coverage painted by the runner (issue 7)
    "passed": "#16A34A", "failed": "#DC2626", "active": "#2563EB", "skipped": "#9CA3AF",
    "covered": "#16A34A", "failing": "#DC2626", "uncovered": "#9CA3AF", "unreached": "#DC2626",
    # the Review screen's diff: steps added, removed, changed or moved between revisions
    "added": "#16A34A", "removed": "#DC2626", "changed": "#D97706", "moved": "#2563EB",
}
MARK_LABELS = {   # what a run mark says on a card: where the run went, not a verdict per step
    "passed": "visited", "failed": "failed here", "unreached": "not reached", "active": "running",
    "skipped": "skipped",
}


@dataclass(frozen=True)
class Colors:
    dark: bool
    window: str
    base: str
    card: str
    card_selected: str
    border: str
    text: str
    muted: str
    lane: str
    accent: str

    def kind(self, kind: str) -> QColor:
        spec = get_spec(kind)
        return QColor(spec.color if spec is not None else "#64748B")

    def q(self, name: str) -> QColor:
        return QColor(getattr(self, name))


LIGHT = Colors(False, window="#F3F5F9", base="#FFFFFF", card="#FFFFFF", card_selected="#EAF2FF",
               border="#D9DEE7", text="#1F2937", muted="#6B7280", lane="#E7EBF2", accent="#2563EB")
DARK = Colors(True, window="#1E2128", base="#16181D", card="#262A33", card_selected="#1F3A5F",
              border="#3A404C", text="#E5E7EB", muted="#9CA3AF", lane="#2C313B", accent="#60A5FA")

_THEME = "studioTheme"        # a QApplication property: the app owns which theme it shows


def colors() -> Colors:
    """The theme apply_theme gave the running application (light before it did)."""
    app = QGuiApplication.instance()
    return DARK if app is not None and app.property(_THEME) == "dark" else LIGHT


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme and scheme() == Qt.ColorScheme.Dark)


def apply_theme(app, dark: bool | None = None) -> Colors:
    """Fusion style with our palette; `dark=None` follows the system setting."""
    dark = system_is_dark() if dark is None else dark
    c = DARK if dark else LIGHT
    app.setProperty(_THEME, "dark" if dark else "light")
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.Window, QColor(c.window))
    pal.setColor(QPalette.WindowText, QColor(c.text))
    pal.setColor(QPalette.Base, QColor(c.base))
    pal.setColor(QPalette.AlternateBase, QColor(c.lane))
    pal.setColor(QPalette.Text, QColor(c.text))
    pal.setColor(QPalette.ButtonText, QColor(c.text))
    pal.setColor(QPalette.ToolTipBase, QColor(c.card))
    pal.setColor(QPalette.ToolTipText, QColor(c.text))
    pal.setColor(QPalette.PlaceholderText, QColor(c.muted))
    pal.setColor(QPalette.Highlight, QColor(c.accent))
    pal.setColor(QPalette.HighlightedText, QColor("#FFFFFF"))
    pal.setColor(QPalette.Link, QColor(c.accent))
    pal.setColor(QPalette.Mid, QColor(c.border))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor(c.muted))
    pal.setColor(QPalette.Disabled, QPalette.WindowText, QColor(c.muted))
    pal.setColor(QPalette.Disabled, QPalette.ButtonText, QColor(c.muted))   # greyed buttons look greyed
    pal.setColor(QPalette.Disabled, QPalette.Base, QColor(c.window))
    base, window = QColor(c.base), QColor(c.window)
    # Fusion draws bevels, arrows and frames from these: derive them from our colours
    pal.setColor(QPalette.Light, window.lighter(135 if dark else 110))
    pal.setColor(QPalette.Midlight, window.lighter(118 if dark else 104))
    pal.setColor(QPalette.Dark, window.darker(160 if dark else 130))
    pal.setColor(QPalette.Shadow, QColor("#000000") if dark else window.darker(200))
    pal.setColor(QPalette.BrightText, QColor("#FFFFFF"))
    pal.setColor(QPalette.Button, window.lighter(125) if dark else base)
    app.setPalette(pal)
    from .resources import resource_path
    close = resource_path("icons", "close.svg").as_posix()
    app.setStyleSheet(_STYLE.format(c=c, close=close))
    return c


_STYLE = """
QToolBar {{ border: none; spacing: 2px; padding: 2px 4px; }}
QDockWidget::title {{ padding: 6px 8px; font-weight: 600; }}
QTabBar::tab {{ padding: 6px 14px; }}
QTabBar::close-button {{ image: url({close}); subcontrol-position: right; border-radius: 3px;
                        margin: 2px; }}
QTabBar::close-button:hover {{ background: {c.border}; }}
QGroupBox {{ font-weight: 600; border: 1px solid {c.border}; border-radius: 6px;
            margin-top: 14px; padding: 8px 6px 6px 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; }}
QLabel#InspectorTitle {{ font-size: 15px; font-weight: 600; }}
QLabel#Muted {{ color: {c.muted}; }}
QPlainTextEdit, QLineEdit, QTextEdit {{
    border: 1px solid {c.border}; border-radius: 4px; padding: 3px; }}
QPlainTextEdit:focus, QLineEdit:focus, QTextEdit:focus {{ border: 1px solid {c.accent}; }}
"""


# The panels write their status colours for a light background; on the dark
# theme the same roles get lighter tones, so text stays readable.
DARK_TONES = {
    "#5c6b7a": "#9ca3af", "#6b7683": "#9ca3af", "#7a8590": "#9ca3af", "#8a96a3": "#9ca3af",
    "#b3261e": "#f87171", "#1e7b34": "#4ade80", "#b26a00": "#fbbf24", "#b35c00": "#fb923c",
    "#8a4b00": "#fb923c", "#6a4fb3": "#a78bfa", "#0b7a75": "#2dd4bf", "#2f6fb3": "#60a5fa",
    "#7a4f9a": "#c084fc", "#2f5d8f": "#60a5fa", "#1d232b": "#e5e7eb", "#10263f": "#e5e7eb",
    "#4a3500": "#f3e3b5", "#4a2f00": "#f3e3b5",
}


def tone(text: str) -> str:
    """`text` (a colour, CSS or HTML) with its light-theme colours swapped on the dark theme."""
    if not colors().dark:
        return text
    for light, dark in DARK_TONES.items():
        if light in text:
            text = text.replace(light, dark)
    return text


def qcolor(hex_colour: str) -> QColor:
    return QColor(tone(hex_colour))
