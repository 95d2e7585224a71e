"""Password hashing with argon2id, and the rules a new password must meet."""

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes any length; this bounds the work per attempt

# Parameter sets of argon2-cffi's ``argon2.profiles`` that the app may use.
# RFC_9106_LOW_MEMORY (argon2id, 3 passes, 64 MiB, 4 lanes) is the default;
# CHEAPEST exists only so that test suites can sign in quickly.
PROFILES = {
    "RFC_9106_LOW_MEMORY": profiles.RFC_9106_LOW_MEMORY,
    "CHEAPEST": profiles.CHEAPEST,
}
DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"

# One hasher per process, set from the app's configuration by ``use_profile``.
# A stored hash made with other parameters is rehashed at the next sign-in.
_hasher = PasswordHasher.from_parameters(PROFILES[DEFAULT_PROFILE])


def use_profile(name: str) -> None:
    """Hash new passwords with the named parameter set from ``PROFILES``."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(PROFILES[name])
    _dummy_hash.cache_clear()


class WeakPassword(ValueError):
    """A new password that breaks a rule; the message names the rule."""


def check_new_password(password: str) -> None:
    """Raise WeakPassword unless ``password`` may be set as a new password."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            f"The password is too short: use at least {MIN_LENGTH} characters."
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            f"The password is too long: use at most {MAX_LENGTH} characters."
        )
    if not password.strip():
        raise WeakPassword("The password cannot be only spaces.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether ``password`` matches the hash; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with other parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def spend_verification_time(password: str) -> None:
    """Verify ``password`` against a fixed hash, for a sign-in with an unknown email.

    This makes a request for an unknown email take as long as a wrong
    password for a known one, so timing does not tell which emails exist.
    """
    verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password of anyone")
