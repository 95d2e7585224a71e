"""The consent to sign electronically that a buyer agrees to before signing.

Each signature stores the version it was given under. The wording of a
released version never changes. A new wording gets a new version and an
entry of its own in ``CONSENT_TEXTS``, so the signature certificate of an
older quote still prints the words that its signers agreed to.
"""

from flask_babel import force_locale
from flask_babel import gettext as _

CONSENT_VERSION = "2026-12-04"


def _text_2026_12_04(business: str) -> str:
    return _(
        "I agree to sign this quote electronically. The name I type, and the "
        "signature I draw if I draw one, are my signature and bind me as a "
        "handwritten signature would. I have read the whole quote and its terms. "
        "I can ask %(business)s for a copy of the signed quote at any time.",
        business=business,
    )


CONSENT_TEXTS = {"2026-12-04": _text_2026_12_04}


class UnknownConsentVersion(ValueError):
    """A consent version that this code has no wording for."""


def consent_text(locale: str, business: str, version: str = CONSENT_VERSION) -> str:
    """Return the consent wording of ``version`` in ``locale``.

    ``business`` is the business's name, which the wording mentions. Raises
    ``UnknownConsentVersion`` for a version missing from ``CONSENT_TEXTS``.
    """
    try:
        wording = CONSENT_TEXTS[version]
    except KeyError:
        raise UnknownConsentVersion(
            f"no consent text has version {version!r}"
        ) from None
    with force_locale(locale):
        return wording(business)
