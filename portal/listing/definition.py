"""Index definitions: the statement, filters, sort orders and columns of a page."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm.interfaces import ORMOption

from portal.listing.context import ListingContext
from portal.listing.filters import Filter
from portal.models import IndexName


class ValueKind(StrEnum):
    """The type of a sort value, which decides how a page cursor stores it."""

    INTEGER = "integer"
    TEXT = "text"
    DATE = "date"
    TIMESTAMP = "timestamp"


@dataclass(frozen=True, slots=True)
class SortKey:
    key: str  # the name in ``?sort=``, such as "created"
    label: str
    # A SQL expression that is never NULL, so that keyset comparisons hold.
    expression: ColumnElement[Any]
    kind: ValueKind


@dataclass(frozen=True, slots=True)
class Sort:
    key: SortKey
    descending: bool

    @property
    def param(self) -> str:
        """The value of ``?sort=``: the key, after a minus sign when descending."""
        return ("-" if self.descending else "") + self.key.key


@dataclass(frozen=True, slots=True)
class Listed:
    """One row of an index: the record and the extra values selected with it."""

    record: Any
    extra: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the HTML table; ``sort`` names the ``SortKey`` it sorts by."""

    label: str
    sort: str | None = None
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class CsvColumn:
    header: str
    value: Callable[[Listed, ListingContext], object]


@dataclass(frozen=True)
class IndexDefinition:
    name: IndexName
    title: str  # "Invoices"
    noun: tuple[str, str]  # singular and plural, such as ("invoice", "invoices")
    # The listed model; its ``id`` column breaks ties between equal sort values.
    record: type[Any]
    # Returns a fresh SELECT of the record, any extra labelled columns, and the
    # joins that the filters need, without ORDER BY or loader options.
    statement: Callable[[], Select[Any]]
    filters: Sequence[Filter]
    sorts: Sequence[SortKey]
    default_sort: str  # such as "-created"
    columns: Sequence[Column]
    csv_columns: Sequence[CsvColumn]
    # Loader options for the page query, such as eager loads of joined rows.
    load_options: Sequence[ORMOption] = field(default=())

    def sort_key(self, key: str) -> SortKey | None:
        for sort_key in self.sorts:
            if sort_key.key == key:
                return sort_key
        return None

    def filter(self, key: str) -> Filter:
        for item in self.filters:
            if item.key == key:
                return item
        raise KeyError(key)
