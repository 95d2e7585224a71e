"""Suppressing emails for a block of code, such as while demo data is seeded.

The switch is a context variable, so it holds only for the thread (or task)
that entered the block. Requests that other threads serve meanwhile send
their emails as usual.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

logger = logging.getLogger(__name__)

_suppressed: ContextVar[bool] = ContextVar("kassa_emails_suppressed", default=False)


@contextmanager
def emails_suppressed() -> Iterator[None]:
    """Send no email until the block ends, and build no attachments for one."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def email_suppressed(kind: str, record_id: int | None = None) -> bool:
    """Return True, and log it, when an email is not to be sent.

    ``kind`` names the email, such as "payment confirmation", and
    ``record_id`` the payment or refund it is about.
    """
    if not _suppressed.get():
        return False
    if record_id is None:
        logger.info("%s email suppressed", kind)
    else:
        logger.info("%s email for %s suppressed", kind, record_id)
    return True
