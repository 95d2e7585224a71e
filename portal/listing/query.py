"""Parse an index's query string, then read its rows a keyset page at a time.

Pages never use OFFSET. A page is the next ``page_size`` rows after (or
before) a position, which is the sort value and id of a row. Ties in the sort
value are broken by id in the same direction, so walking every page returns
each matching row exactly once, even when many rows share a sort value, as
long as no row is added or changed between the pages.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from portal.listing.context import ListingContext
from portal.listing.definition import IndexDefinition, Listed, Sort
from portal.listing.filters import FilterError, QueryArgs

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
SORT_PARAM = "sort"
PAGE_SIZE_PARAM = "per_page"
SORT_VALUE_LABEL = "listing_sort_value"


@dataclass(frozen=True)
class ParsedQuery:
    """The filters, sort and page size of one request to an index page."""

    values: dict[str, Any]  # filter key -> parsed value, only filters that are on
    sort: Sort
    page_size: int
    errors: dict[str, str] = field(default_factory=dict)  # parameter -> message

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class Position:
    """A row's sort value and id, at which a page starts or ends."""

    value: Any
    record_id: int


@dataclass(frozen=True)
class Page:
    rows: list[Listed]
    # Position of the last row when later rows exist, else None.
    next_position: Position | None
    # Position of the first row when earlier rows exist, else None.
    previous_position: Position | None


def parse_query(definition: IndexDefinition, args: QueryArgs) -> ParsedQuery:
    """Parse the filters, sort and page size; collect a message per bad parameter.

    Parameters that the index does not know, such as a page cursor, are
    ignored here.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in definition.filters:
        try:
            value = item.parse(args)
        except FilterError as error:
            errors.setdefault(error.param, error.message)
            continue
        if value is not None:
            values[item.key] = value

    sort = _default_sort(definition)
    try:
        sort = parse_sort(definition, args)
    except FilterError as error:
        errors[error.param] = error.message

    page_size = DEFAULT_PAGE_SIZE
    try:
        page_size = parse_page_size(args)
    except FilterError as error:
        errors[error.param] = error.message
    return ParsedQuery(values, sort, page_size, errors)


def parse_sort(definition: IndexDefinition, args: QueryArgs) -> Sort:
    texts = [text.strip() for text in args.get(SORT_PARAM, ()) if text.strip()]
    if not texts:
        return _default_sort(definition)
    text = texts[0]
    descending = text.startswith("-")
    sort_key = definition.sort_key(text.removeprefix("-"))
    if len(texts) > 1 or sort_key is None:
        options = ", ".join(key.key for key in definition.sorts)
        raise FilterError(
            SORT_PARAM,
            f"Sort must be one of {options}, with a leading minus sign for"
            " descending order.",
        )
    return Sort(sort_key, descending)


def parse_page_size(args: QueryArgs) -> int:
    texts = [text.strip() for text in args.get(PAGE_SIZE_PARAM, ()) if text.strip()]
    if not texts:
        return DEFAULT_PAGE_SIZE
    allowed = {str(size): size for size in PAGE_SIZES}
    if len(texts) > 1 or texts[0] not in allowed:
        raise FilterError(
            PAGE_SIZE_PARAM,
            f"Rows per page must be one of {', '.join(allowed)}.",
        )
    return allowed[texts[0]]


def _default_sort(definition: IndexDefinition) -> Sort:
    default = definition.default_sort
    sort_key = definition.sort_key(default.removeprefix("-"))
    if sort_key is None:
        raise LookupError(f"index {definition.name} has no sort key {default!r}")
    return Sort(sort_key, default.startswith("-"))


def query_pairs(
    definition: IndexDefinition, parsed: ParsedQuery
) -> list[tuple[str, str]]:
    """Return the canonical query-string pairs: filters in order, then sort and size.

    The default sort and page size are left out, so that equal queries give
    equal strings.
    """
    pairs: list[tuple[str, str]] = []
    for item in definition.filters:
        if item.key in parsed.values:
            pairs += item.query_pairs(parsed.values[item.key])
    if parsed.sort != _default_sort(definition):
        pairs.append((SORT_PARAM, parsed.sort.param))
    if parsed.page_size != DEFAULT_PAGE_SIZE:
        pairs.append((PAGE_SIZE_PARAM, str(parsed.page_size)))
    return pairs


def canonical_query(definition: IndexDefinition, parsed: ParsedQuery) -> str:
    return urlencode(query_pairs(definition, parsed))


def filtered_statement(
    definition: IndexDefinition, parsed: ParsedQuery, context: ListingContext
) -> Select[Any]:
    """Return the index's statement with every active filter applied."""
    statement = definition.statement()
    for item in definition.filters:
        if item.key in parsed.values:
            statement = statement.where(
                item.condition(parsed.values[item.key], context)
            )
    return statement


def count_matching(
    session: Session,
    definition: IndexDefinition,
    parsed: ParsedQuery,
    context: ListingContext,
) -> int:
    matching = (
        filtered_statement(definition, parsed, context)
        .with_only_columns(definition.record.id)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(matching)) or 0


def fetch_page(
    session: Session,
    definition: IndexDefinition,
    parsed: ParsedQuery,
    context: ListingContext,
    *,
    after: Position | None = None,
    before: Position | None = None,
) -> Page:
    """Read the page after ``after``, before ``before``, or the first page."""
    if after is not None and before is not None:
        raise ValueError("give after or before, not both")
    backward = before is not None
    rows = _read(
        session,
        definition,
        parsed,
        context,
        start=before if backward else after,
        backward=backward,
        limit=parsed.page_size + 1,
    )
    more = len(rows) > parsed.page_size
    rows = rows[: parsed.page_size]
    if backward:
        rows.reverse()
    positions = [position for _listed, position in rows]
    has_next = (more and not backward) or (backward and bool(rows))
    has_previous = (more and backward) or (after is not None and bool(rows))
    return Page(
        rows=[listed for listed, _position in rows],
        next_position=positions[-1] if has_next else None,
        previous_position=positions[0] if has_previous else None,
    )


def iterate_rows(
    session: Session,
    definition: IndexDefinition,
    parsed: ParsedQuery,
    context: ListingContext,
    *,
    batch_size: int = 500,
) -> Iterator[Listed]:
    """Yield every matching row in sort order, reading ``batch_size`` rows at a time."""
    start: Position | None = None
    while True:
        rows = _read(
            session,
            definition,
            parsed,
            context,
            start=start,
            backward=False,
            limit=batch_size,
        )
        for listed, _position in rows:
            yield listed
        if len(rows) < batch_size:
            return
        start = rows[-1][1]


def _read(
    session: Session,
    definition: IndexDefinition,
    parsed: ParsedQuery,
    context: ListingContext,
    *,
    start: Position | None,
    backward: bool,
    limit: int,
) -> list[tuple[Listed, Position]]:
    expression = parsed.sort.key.expression
    record_id = definition.record.id
    # Reading backward walks the same order in reverse from the page's first row.
    descending = parsed.sort.descending != backward
    statement = filtered_statement(definition, parsed, context).add_columns(
        expression.label(SORT_VALUE_LABEL)
    )
    if start is not None:
        statement = statement.where(
            _beyond(expression, record_id, start, descending=descending)
        )
    order = (
        (expression.desc(), record_id.desc())
        if descending
        else (expression.asc(), record_id.asc())
    )
    statement = (
        statement.options(*definition.load_options).order_by(*order).limit(limit)
    )
    result = []
    for row in session.execute(statement):
        # The record comes first, the sort value last, extra columns between.
        record, *extra_values, sort_value = row
        extra = dict(zip(row._fields[1:-1], extra_values, strict=True))
        position = Position(sort_value, record.id)
        result.append((Listed(record, extra), position))
    return result


def _beyond(
    expression: ColumnElement[Any],
    record_id: ColumnElement[int],
    start: Position,
    *,
    descending: bool,
) -> ColumnElement[bool]:
    """Return the condition for rows strictly after ``start`` in the given order."""
    if descending:
        return or_(
            expression < start.value,
            and_(expression == start.value, record_id < start.record_id),
        )
    return or_(
        expression > start.value,
        and_(expression == start.value, record_id > start.record_id),
    )
