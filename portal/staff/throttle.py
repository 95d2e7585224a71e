"""Limits on failed sign-ins, per account and per client address.

Counters live in the rate-limit storage (``KASSA_RATELIMIT_STORAGE``), so
they are shared by every worker when that is Redis. Only failures count, in
a moving window. A successful sign-in clears its account's counter but not
its address's.
"""

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class SignInThrottle:
    def __init__(self, storage_uri: str, per_account: str, per_address: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._per_account: RateLimitItem = parse(per_account)
        self._per_address: RateLimitItem = parse(per_address)

    def is_blocked(self, email: str, address: str) -> bool:
        """Tell whether the account's or the address's counter is at its limit."""
        return not (
            self._limiter.test(self._per_account, "sign-in-account", email)
            and self._limiter.test(self._per_address, "sign-in-address", address)
        )

    def record_failure(self, email: str, address: str) -> None:
        self._limiter.hit(self._per_account, "sign-in-account", email)
        self._limiter.hit(self._per_address, "sign-in-address", address)

    def clear_account(self, email: str) -> None:
        self._limiter.clear(self._per_account, "sign-in-account", email)

    @property
    def wait_minutes(self) -> int:
        """Minutes after which the longer of the two windows has moved on."""
        seconds = max(self._per_account.get_expiry(), self._per_address.get_expiry())
        return -(-seconds // 60)
