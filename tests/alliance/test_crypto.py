"""alliance.crypto: secrets that must be read back are encrypted and authenticated under
FIELD_ENCRYPTION_KEY, or a key derived from SECRET_KEY; anything that does not decrypt
under the current key reads as "no value" instead of raising."""

import base64
import hashlib
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings as django_settings

from alliance.crypto import secret_decrypt, secret_encrypt

SECRET = "an-access-token-0123456789"


def test_a_secret_round_trips_and_is_never_stored_as_given():
    encrypted = secret_encrypt(SECRET)

    assert SECRET not in encrypted
    assert secret_decrypt(encrypted) == SECRET
    assert secret_encrypt(SECRET) != encrypted, "each encryption has its own random IV"


def test_without_a_configured_key_the_key_is_derived_from_the_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    encrypted = secret_encrypt(SECRET)

    settings.SECRET_KEY = "another-secret-key"

    assert secret_decrypt(encrypted) is None
    assert secret_decrypt(secret_encrypt(SECRET)) == SECRET


def test_the_derived_key_is_not_the_secret_key_itself(settings):
    """A Fernet key made directly from SECRET_KEY's SHA-256 does not read our values: the
    derivation is bound to this purpose (HKDF info), so other uses of SECRET_KEY differ."""
    settings.FIELD_ENCRYPTION_KEY = ""
    naive = Fernet(base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest()))

    with pytest.raises(InvalidToken):
        naive.decrypt(secret_encrypt(SECRET).encode())


def test_a_configured_key_is_used_as_given_and_wins_over_the_secret_key(settings):
    key = Fernet.generate_key()
    settings.FIELD_ENCRYPTION_KEY = key.decode()

    encrypted = secret_encrypt(SECRET)
    settings.SECRET_KEY = "another-secret-key"

    assert Fernet(key).decrypt(encrypted.encode()).decode() == SECRET
    assert secret_decrypt(encrypted) == SECRET
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert secret_decrypt(encrypted) is None


@pytest.mark.parametrize(
    "stored",
    ["", "plain-text-from-an-older-version", "gAAAAA-not-really-fernet", "令牌"],
    ids=["empty", "plain text", "malformed", "not ascii"],
)
def test_what_is_not_a_value_of_ours_reads_as_none(stored):
    assert secret_decrypt(stored) is None


def test_an_altered_value_reads_as_none():
    encrypted = secret_encrypt(SECRET)
    flipped = encrypted[:30] + ("A" if encrypted[30] != "A" else "B") + encrypted[31:]

    assert secret_decrypt(flipped) is None


@pytest.mark.parametrize(
    "key",
    ["not-a-key", "c2hvcnQ=", base64.urlsafe_b64encode(b"k" * 33).decode(), "密钥"],
    ids=["not base64", "5 bytes", "33 bytes", "not ascii"],
)
def test_the_site_refuses_to_start_with_a_key_that_is_not_a_fernet_key(key):
    env = {**os.environ, "FIELD_ENCRYPTION_KEY": key, "DJANGO_SETTINGS_MODULE": "config.settings"}

    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        check=False,
    )

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be a Fernet key: 32 bytes in URL-safe base64" in result.stderr
    assert key not in result.stderr
