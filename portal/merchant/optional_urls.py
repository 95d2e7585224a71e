"""Links to back-office pages that may not be part of this installation yet."""

import logging

from flask import current_app, url_for
from werkzeug.routing import BuildError

logger = logging.getLogger(__name__)


def optional_url(endpoint: str, **values: object) -> str | None:
    """Return the URL of ``endpoint``, or None when no such page is registered.

    Templates show plain text instead of a link when this returns None.
    """
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        logger.warning("endpoint %s takes other URL values than given", endpoint)
        return None
