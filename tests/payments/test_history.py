"""Payment history entries as staff read them."""

from datetime import UTC, datetime

import pytest

from portal.payments.history import HistoryEntry


def entry(from_state, to_state) -> HistoryEntry:
    return HistoryEntry(
        at=datetime(2026, 12, 4, tzinfo=UTC),
        label="Status changed",
        from_state=from_state,
        to_state=to_state,
        actor="system",
        client_address=None,
        details={},
    )


@pytest.mark.parametrize(
    ("from_state", "to_state", "expected"),
    [
        ("processing", "succeeded", "processing → succeeded"),
        (None, "succeeded", "succeeded"),
        ("partially_refunded", "partially_refunded", ""),
        ("succeeded", "partially_refunded", "succeeded → partially refunded"),
        (None, None, ""),
    ],
)
def test_state_change_wording(from_state, to_state, expected):
    assert entry(from_state, to_state).state_change == expected
