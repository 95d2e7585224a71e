"""CSV exports of an index: every matching row, written in chunks as it is read.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, and a buyer can type such text into a name. Text cells that
start with one of those, or with a tab or carriage return, get a leading
apostrophe so that they open as text. Numbers and dates are written as they
are.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from portal.listing.context import ListingContext
from portal.listing.definition import CsvColumn, Listed

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The byte order mark makes Excel read the file as UTF-8 rather than the
# system's legacy code page; other programs skip it.
BYTE_ORDER_MARK = "\ufeff"
ROWS_PER_CHUNK = 200


def text_cell(value: str) -> str:
    """Return ``value`` with an apostrophe in front when it would run as a formula."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value: object, context: ListingContext) -> str:
    """Write one value as CSV text: timestamps in the business's zone, ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return context.local_datetime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return text_cell(str(value))


def csv_chunks(
    columns: Sequence[CsvColumn],
    rows: Iterable[Listed],
    context: ListingContext,
) -> Iterator[str]:
    """Yield the CSV text of a header line and ``rows``, a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([text_cell(column.header) for column in columns])
    yield BYTE_ORDER_MARK + _take(buffer)

    for written, listed in enumerate(rows, start=1):
        writer.writerow(
            [cell(column.value(listed, context), context) for column in columns]
        )
        if written % ROWS_PER_CHUNK == 0:
            yield _take(buffer)
    rest = _take(buffer)
    if rest:
        yield rest


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
