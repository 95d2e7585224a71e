"""Whether an emailed sign-in link may point at this request's host.

A sign-in link is a credential. Without a pinned base URL, ``public_url``
builds it from the request's Host header, which any client can set. A
request for someone else's link could then point it at the sender's own
site, which receives the token when the customer clicks.
"""

from urllib.parse import urlsplit

from flask import current_app, request

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def request_host_trusted() -> bool:
    """Tell whether links built from this request's host can be emailed safely.

    ``KASSA_PUBLIC_URL`` replaces the host, and Flask's ``TRUSTED_HOSTS``
    rejects requests for other hosts before any view runs. Without either,
    only a loopback host is trusted: a link to the customer's own machine
    leaks nothing, and the demo server runs on one.
    """
    config = current_app.config
    if config.get("KASSA_PUBLIC_URL") or config.get("TRUSTED_HOSTS"):
        return True
    hostname = urlsplit(f"//{request.host}").hostname or ""
    return hostname in LOOPBACK_HOSTS
