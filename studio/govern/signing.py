"""Signing bundles with ed25519 (`cryptography`): the private key lives in the OS keyring
(service `procedure-studio`), created on first use; only the public key goes out, in the
bundle's manifest. Anyone can then check that nothing changed after signing, and a
receiver who pins the public key also knows who signed."""
from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEYRING_SERVICE = "procedure-studio"
KEY_NAME = "bundle-signing-key"
ALGORITHM = "ed25519"


class SigningError(RuntimeError):
    """No usable keyring, or a stored key that is not an ed25519 key."""


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signing_key(*, create: bool = True) -> Ed25519PrivateKey:
    """The project-independent signing key from the OS keyring (made and stored on first use)."""
    import keyring
    from keyring.errors import KeyringError
    try:
        stored = keyring.get_password(KEYRING_SERVICE, KEY_NAME)
    except KeyringError as exc:
        raise SigningError(f"the OS keyring cannot be read ({exc}); signing needs it to hold "
                           "the private key") from None
    if stored:
        try:
            return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored))
        except ValueError:
            raise SigningError(f"the keyring entry {KEYRING_SERVICE}/{KEY_NAME} is not an "
                               "ed25519 private key; delete it to have a new one made") from None
    if not create:
        raise SigningError("there is no signing key in the OS keyring yet")
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    try:
        keyring.set_password(KEYRING_SERVICE, KEY_NAME, base64.b64encode(raw).decode("ascii"))
        if keyring.get_password(KEYRING_SERVICE, KEY_NAME) is None:
            raise KeyringError("the keyring did not keep the key")
    except KeyringError as exc:
        raise SigningError(f"no OS keyring to keep the signing key in ({exc}); install or "
                           "unlock one (e.g. GNOME Keyring, KWallet, macOS Keychain)") from None
    return key


def public_key_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(_raw_public(key)).decode("ascii")


def fingerprint(public_key: str) -> str:
    """A short, comparable name for a public key (sha256 of its raw bytes, 16 hex digits)."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError:
        return "invalid"
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode("ascii")


def verify(public_key: str, data: bytes, signature: str) -> bool:
    try:
        pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        pub.verify(base64.b64decode(signature, validate=True), data)
        return True
    except (InvalidSignature, ValueError):
        return False
