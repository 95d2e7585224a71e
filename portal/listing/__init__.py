"""Index pages as data: filters, sort orders, keyset pages and CSV exports.

An ``IndexDefinition`` declares what an index lists and how it can be
filtered and sorted. ``query.parse_query`` turns query-string values into a
``ParsedQuery`` (or field messages), ``query.fetch_page`` reads one page after
or before a position, and ``export.csv_chunks`` writes every matching row.
Nothing here reads the request; views pass the query-string values, the
business's time zone and the current time.
"""
