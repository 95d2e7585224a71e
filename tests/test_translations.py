"""The Finnish catalog covers every buyer-facing string and is compiled."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "portal" / "translations" / "fi" / "LC_MESSAGES"
# The back office is in English only, so its modules and templates are skipped.
METHODS = [
    ("portal/merchant/**", "ignore"),
    ("portal/templates/merchant/**", "ignore"),
    ("portal/**.py", "python"),
    ("portal/templates/**.html", "jinja2"),
    ("portal/templates/**.txt", "jinja2"),
]


KEYWORDS = {"_": None, "ngettext": (1, 2)}


def key(message: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    """Return a message id or string as a hashable key; plurals come as sequences."""
    return message if isinstance(message, str) else tuple(message)


def is_translated(string: str | list[str] | tuple[str, ...]) -> bool:
    return all(key(string)) if string else False


def source_messages() -> set[str | tuple[str, ...]]:
    found = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)
    return {key(message) for _file, _line, message, _comments, _context in found}


def test_every_string_has_a_finnish_translation():
    with open(CATALOG / "messages.po", "rb") as file:
        catalog = read_po(file)
    done = {
        key(message.id)
        for message in catalog
        if is_translated(message.string) and not message.fuzzy
    }

    messages = source_messages()

    assert "Card number" in messages
    assert messages - done == set()


def test_compiled_catalog_matches_the_source():
    with open(CATALOG / "messages.po", "rb") as file:
        source = {
            key(m.id): key(m.string) for m in read_po(file) if m.id and not m.fuzzy
        }
    with open(CATALOG / "messages.mo", "rb") as file:
        compiled = {key(m.id): key(m.string) for m in read_mo(file) if m.id}

    assert compiled == source
