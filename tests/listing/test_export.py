"""CSV text of index rows: quoting, formula neutralising and chunking."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from portal.listing.context import ListingContext
from portal.listing.definition import CsvColumn, Listed
from portal.listing.export import BYTE_ORDER_MARK, ROWS_PER_CHUNK, csv_chunks, text_cell

CONTEXT = ListingContext("Europe/Helsinki", datetime(2026, 12, 4, tzinfo=UTC))
COLUMNS = [
    CsvColumn("name", lambda row, _: row.record.name),
    CsvColumn("amount", lambda row, _: row.record.amount),
    CsvColumn("when", lambda row, _: row.record.when),
]


def rows(*names: str, amount=Decimal("12.50"), when=None) -> list[Listed]:
    return [
        Listed(SimpleNamespace(name=name, amount=amount, when=when), {})
        for name in names
    ]


def read(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK))))


def test_formula_starts_get_an_apostrophe():
    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert text_cell(text) == "'" + text
    assert text_cell("Ann =1") == "Ann =1"
    assert text_cell("") == ""


def test_names_are_neutralised_and_quoted():
    table = read(
        csv_chunks(
            COLUMNS, rows('=HYPERLINK("http://x")', 'Lee, "Ann"\nline 2'), CONTEXT
        )
    )

    assert table[0] == ["name", "amount", "when"]
    assert table[1][0] == '\'=HYPERLINK("http://x")'
    assert table[2][0] == 'Lee, "Ann"\nline 2'


def test_numbers_and_times_are_written_plainly():
    moment = datetime(2026, 12, 4, 10, 0, 30, 999, tzinfo=UTC)
    table = read(
        csv_chunks(COLUMNS, rows("Ann", amount=Decimal("-5.00"), when=moment), CONTEXT)
    )
    dated = read(
        csv_chunks(COLUMNS, rows("Bo", amount=7, when=date(2026, 1, 2)), CONTEXT)
    )

    assert table[1] == ["Ann", "-5.00", "2026-12-04T12:00:30+02:00"]
    assert dated[1] == ["Bo", "7", "2026-01-02"]


def test_missing_values_are_empty():
    table = read(csv_chunks(COLUMNS, rows("Ann", amount=None), CONTEXT))

    assert table[1] == ["Ann", "", ""]


def test_rows_come_in_chunks():
    names = [f"buyer {number}" for number in range(ROWS_PER_CHUNK * 2 + 5)]
    chunks = list(csv_chunks(COLUMNS, rows(*names), CONTEXT))
    table = read(chunks)

    assert len(chunks) == 4  # header, two full chunks, the rest
    assert [row[0] for row in table[1:]] == names
