"""Combo boxes of ids that a file may name although the project lacks them."""
from __future__ import annotations

from typing import Iterable

from PySide6.QtWidgets import QComboBox


def select_choice(combo: QComboBox, value: str | None) -> None:
    """Select the item whose data is `value`; a value the combo does not offer is added
    as "value (unknown)", so showing a file never changes what it says."""
    if value and combo.findData(value) < 0:
        combo.addItem(f"{value} (unknown)", value)
    combo.setCurrentIndex(max(combo.findData(value), 0))


def fill_choices(combo: QComboBox, none_label: str, choices: Iterable[str], current: str | None) -> None:
    """`none_label` (data None), then each choice; `current` selected (see select_choice)."""
    combo.clear()
    combo.addItem(none_label, None)
    for choice in choices:
        combo.addItem(choice, choice)
    select_choice(combo, current)
