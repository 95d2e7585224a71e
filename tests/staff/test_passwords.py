"""Password hashing parameters and rules."""

import pytest

from portal.staff import passwords
from portal.staff.passwords import (
    WeakPassword,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)


@pytest.fixture
def default_profile():
    passwords.use_profile(passwords.DEFAULT_PROFILE)
    yield
    passwords.use_profile("CHEAPEST")


def test_default_hash_is_argon2id_rfc9106(default_profile):
    password_hash = hash_password("a long enough password")

    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(password_hash, "a long enough password")
    assert not verify_password(password_hash, "another long password")


def test_cheaper_hash_needs_rehash(default_profile):
    passwords.use_profile("CHEAPEST")
    cheap = hash_password("a long enough password")
    passwords.use_profile(passwords.DEFAULT_PROFILE)

    assert needs_rehash(cheap)
    assert verify_password(cheap, "a long enough password")


def test_malformed_hash_never_matches():
    assert not verify_password("not a hash", "a long enough password")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("eleven char", "too short: use at least 12 characters"),
        (" " * 12, "cannot be only spaces"),
        ("x" * 1025, "too long"),
    ],
)
def test_weak_passwords_rejected(password, message):
    with pytest.raises(WeakPassword, match=message):
        check_new_password(password)


def test_twelve_characters_accepted():
    check_new_password("twelve chars")
