"""Flask extensions created once and bound in ``create_app``."""

from flask import request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect


def client_address() -> str:
    """Return the client's address as seen by the app.

    Behind a proxy, wrap the app in Werkzeug's ``ProxyFix`` so this is the
    buyer's address and not the proxy's.
    """
    return request.remote_addr or "unknown"


csrf = CSRFProtect()
limiter = Limiter(key_func=client_address, default_limits=[])
