"""Page cursors: a row's position, signed so that a link cannot be edited.

The token names the index and the sort it was made for, so a cursor taken
from one order is rejected in another instead of skipping rows silently.
"""

from datetime import UTC, date, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from portal.listing.definition import IndexDefinition, Sort, ValueKind
from portal.listing.query import Position

SALT = "kassa.listing.cursor"
MAX_TOKEN_LENGTH = 1000
MAX_TEXT_VALUE = 400


class CursorError(ValueError):
    pass


class CursorCodec:
    def __init__(self, secret_key: str | bytes) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=SALT)

    def encode(
        self, definition: IndexDefinition, sort: Sort, position: Position
    ) -> str:
        value = _dump_value(position.value, sort.key.kind)
        payload = [str(definition.name), sort.param, value, position.record_id]
        return self._serializer.dumps(payload)

    def decode(self, definition: IndexDefinition, sort: Sort, token: str) -> Position:
        """Return the position in ``token``; raise ``CursorError`` with a message."""
        stale = CursorError(
            "This page link does not match the current sort order or has been"
            " altered. Start again from the first page."
        )
        if len(token) > MAX_TOKEN_LENGTH:
            raise stale
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            raise stale from None
        if not isinstance(payload, list) or len(payload) != 4:
            raise stale
        index_name, sort_param, value, record_id = payload
        if index_name != str(definition.name) or sort_param != sort.param:
            raise stale
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            raise stale
        try:
            return Position(_load_value(value, sort.key.kind), record_id)
        except (TypeError, ValueError):
            raise stale from None


def _dump_value(value: Any, kind: ValueKind) -> Any:
    if kind is ValueKind.TIMESTAMP:
        return value.astimezone(UTC).isoformat()
    if kind is ValueKind.DATE:
        return value.isoformat()
    return value


def _load_value(value: Any, kind: ValueKind) -> Any:
    if kind is ValueKind.INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("integer expected")
        return value
    if not isinstance(value, str) or len(value) > MAX_TEXT_VALUE:
        raise TypeError("text expected")
    if kind is ValueKind.TEXT:
        return value
    if kind is ValueKind.DATE:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("timestamp without a time zone")
    return moment.astimezone(UTC)
