"""API keys per provider, kept only in the OS keyring (never in studio.yaml or any file).

The box shows whether a key is set, masked, and where it comes from; Set and
Clear act on the keyring at once (keys are per user, not per project, so they
are not part of the settings' undo history).
"""
from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QWidget)

from studio.llm import keys

from ..theme import tone


class ApiKeyBox(QGroupBox):
    key_changed = Signal(str)        # provider

    def __init__(self, parent: QWidget | None = None):
        super().__init__("API key: kept in the OS keyring, never in project files", parent)
        self.provider = QComboBox()
        self.provider.setEditable(True)
        self.provider.setToolTip("The litellm provider: the part of the model id before the '/'")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("key-status")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("paste a key, then Set (kept in the OS keyring only)")
        self.set_button = QPushButton("Set")
        self.set_button.setToolTip("Store the key in the OS keyring (service 'procedure-studio')")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove this provider's key from the OS keyring")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Provider"), 0, 0)
        grid.addWidget(self.provider, 0, 1)
        grid.addWidget(QLabel("Key"), 1, 0)
        grid.addWidget(self.status, 1, 1)
        row = QHBoxLayout()
        row.addWidget(self.key, 1)
        row.addWidget(self.set_button)
        row.addWidget(self.clear_button)
        grid.addLayout(row, 2, 1)
        grid.addWidget(self.message, 3, 1)
        grid.setColumnStretch(1, 1)
        self.provider.currentTextChanged.connect(lambda _t: self.refresh())
        self.key.textChanged.connect(lambda t: self.set_button.setEnabled(bool(t.strip())))
        self.key.returnPressed.connect(self.set_key)
        self.set_button.clicked.connect(self.set_key)
        self.clear_button.clicked.connect(self.clear_key)
        self._model, self._api_base = "offline", None
        self._offered: tuple | None = None
        self.set_providers([])

    # -- which providers ------------------------------------------------------
    def set_providers(self, models: list[str], api_base: str | None = None) -> None:
        """Offer the providers of `models` first (the first one selected), then the known ones."""
        used = [keys.provider_of(m) for m in models if m and m != "offline"]
        if (used, api_base) == self._offered:    # typing elsewhere keeps the user's choice
            return
        self._offered = (used, api_base)
        self._model = next((m for m in models if m and m != "offline"), "offline")
        self._api_base = api_base
        names = list(dict.fromkeys(used + sorted(keys.ENV_VARS)))
        current = used[0] if used else self.provider.currentText() or "openai"
        self.provider.blockSignals(True)
        self.provider.clear()
        self.provider.addItems(names)
        self.provider.setCurrentText(current)
        self.provider.blockSignals(False)
        self.refresh()

    def current_provider(self) -> str:
        return self.provider.currentText().strip().lower()

    def typed_key(self) -> str | None:
        """The key typed but not yet set: Test connection may try it first."""
        return self.key.text().strip() or None

    # -- state ------------------------------------------------------------------
    def refresh(self) -> None:
        provider = self.current_provider()
        stored = keys.stored_key(provider) if provider else None
        var = keys.env_var_for(provider) if provider else ""
        from_env = os.environ.get(var) if var else None
        if from_env:
            text = f"set by the environment variable {var} ({keys.mask(from_env)})"
            if stored:
                text += f"; the keyring also has one ({keys.mask(stored)}), used when {var} is unset"
            colour = "#1e7b34"
        elif stored:
            text, colour = f"set in the OS keyring ({keys.mask(stored)})", "#1e7b34"
        elif provider in keys.NO_KEY_PROVIDERS or (
                provider == keys.provider_of(self._model)
                and not keys.needs_key(self._model, self._api_base)):
            text, colour = "not needed (local server)", "#5c6b7a"
        else:
            text, colour = f"not set: paste it below, or set {var}", "#b26a00"
        self.status.setText(text)
        self.status.setStyleSheet(tone(f"color:{colour};"))
        self.clear_button.setEnabled(bool(stored))
        self.set_button.setEnabled(bool(self.key.text().strip()))

    def _say(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setStyleSheet(tone("color:#5c6b7a;" if ok else "color:#b3261e;"))

    def set_key(self) -> bool:
        provider, key = self.current_provider(), self.key.text().strip()
        if not provider or not key:
            return False
        try:
            keys.store_key(provider, key)
        except keys.KeyStoreError as exc:
            self._say(f"Not stored: {exc}", False)
            return False
        self.key.clear()
        self._say(f"Stored in the OS keyring as '{keys.KEYRING_SERVICE}' / '{provider}'.", True)
        self.refresh()
        self.key_changed.emit(provider)
        return True

    def clear_key(self) -> bool:
        provider = self.current_provider()
        try:
            removed = keys.clear_key(provider)
        except keys.KeyStoreError as exc:
            self._say(str(exc), False)
            return False
        self._say("Removed from the OS keyring." if removed else "There was no key to remove.", True)
        self.refresh()
        self.key_changed.emit(provider)
        return removed
