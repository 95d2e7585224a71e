"""Fixtures shared by every test, kept as plugins under tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.browser",
    "tests.fixtures.smtp",
    "tests.fixtures.localstripe",
    "tests.fixtures.staff",
]
