"""Helpers for tests of the catalogue and payment link pages.

- ``submit(client, form_path, action, data)`` opens the page at
  ``form_path`` as a browser would, takes its CSRF token, form key and
  revision, and posts ``data`` with them to ``action``.
- ``field_error(html, field_id)`` returns the message shown under a field.
- ``audit_rows(db, subject_type)`` returns the audit rows of a kind, oldest first.
"""

import html as html_module
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent
from tests.fixtures.staff import CSRF_FIELD

KEY_FIELD = re.compile(r'name="key" type="hidden" value="([^"]+)"')
REVISION_FIELD = re.compile(r'name="revision" type="hidden" value="([^"]+)"')


def page_tokens(client: FlaskClient, path: str) -> dict[str, str]:
    """Return the CSRF token and the form key or revision that a page has."""
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    page = response.get_data(as_text=True)
    tokens = {"csrf_token": CSRF_FIELD.search(page).group(1)}
    key = KEY_FIELD.search(page)
    if key:
        tokens["key"] = key.group(1)
    revision = REVISION_FIELD.search(page)
    if revision:
        tokens["revision"] = revision.group(1)
    return tokens


def submit(client: FlaskClient, form_path: str, action: str, data: dict):
    return client.post(action, data={**page_tokens(client, form_path), **data})


def field_error(page: str, field_id: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', page
    )
    assert match, f"no error shown under {field_id}"
    return html_module.unescape(match.group(1))


def audit_rows(db: Session, subject_type: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type)
            .order_by(AuditEvent.id)
        )
    )
