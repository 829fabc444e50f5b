"""Encryption at rest for secrets the project must read back (e.g. WeChat's access token).

The house rule is that tokens are never stored in plain text. Tokens we issue ourselves are
stored as digests (alliance.tokens), but a credential we must send back to someone else
cannot be hashed: it is encrypted instead, with Fernet (AES-128-CBC plus HMAC-SHA256, from
the ``cryptography`` package), so that a stolen database dump or cache reveals nothing and
a tampered value is refused rather than used.

The key is ``settings.FIELD_ENCRYPTION_KEY`` (a Fernet key: 32 random bytes, URL-safe
base64, from ``Fernet.generate_key()``) when set; otherwise it is derived from
``SECRET_KEY`` with HKDF-SHA256, so that a deployment needs no extra secret. Changing
either key makes the values encrypted under the old one unreadable: :func:`secret_decrypt`
then answers None, and callers must treat that as "no value" (for a cached credential:
fetch a new one). Only values that can be fetched again may rely on this module.

Never log or show a decrypted value.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

#: HKDF context: a key derived for this purpose is never the one used elsewhere with
#: SECRET_KEY (signing, invite-code HMACs).
_HKDF_INFO = b"alliance-share:field-encryption:v1"


@functools.lru_cache(maxsize=4)
def _fernet(configured_key: str, secret_key: str) -> Fernet:
    """The cipher for one pair of settings (cached: settings rarely change, tests may)."""
    if configured_key:
        return Fernet(configured_key)
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _current() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def secret_encrypt(plaintext: str) -> str:
    """``plaintext`` encrypted and authenticated under the current key, as ASCII text.

    Each call gives a different value (random IV), so equal secrets are not recognisable.
    """
    return _current().encrypt(plaintext.encode()).decode("ascii")


def secret_decrypt(ciphertext: str) -> str | None:
    """The plaintext of a value from :func:`secret_encrypt`, or None when there is none.

    None for an empty value, and for one that cannot be read: encrypted under another key
    (FIELD_ENCRYPTION_KEY or SECRET_KEY changed), altered, or not ciphertext at all (e.g.
    left in plain text by an older version). Never raises for bad input, so a caller can
    always fall back to fetching the secret again.
    """
    if not ciphertext:
        return None
    try:
        return _current().decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return None
