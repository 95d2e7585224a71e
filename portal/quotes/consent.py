"""The consent to sign electronically that a signer agrees to before signing.

Buyers and countersigners agree to different wordings: a countersigner
signs for the business in the back office and draws no signature. Each
signature stores the version it was given under, and versions of both
wordings share ``CONSENT_TEXTS``, so a version names one wording. The
wording of a released version never changes. A new wording gets a new
version and an entry of its own, so the signature certificate of an older
quote still prints the words that its signers agreed to.
"""

from flask_babel import force_locale
from flask_babel import gettext as _

CONSENT_VERSION = "2026-12-04"  # the buyers' wording
COUNTERSIGN_CONSENT_VERSION = "counter-2026-12-04"


def _text_2026_12_04(business: str) -> str:
    return _(
        "I agree to sign this quote electronically. The name I type, and the "
        "signature I draw if I draw one, are my signature and bind me as a "
        "handwritten signature would. I have read the whole quote and its terms. "
        "I can ask %(business)s for a copy of the signed quote at any time.",
        business=business,
    )


def _countersign_text_2026_12_04(business: str) -> str:
    return _(
        "I agree to countersign this quote electronically for %(business)s. The "
        "name I type is my signature and binds %(business)s as my handwritten "
        "signature would. I have read the whole quote, its terms and the buyers' "
        "signatures.",
        business=business,
    )


CONSENT_TEXTS = {
    "2026-12-04": _text_2026_12_04,
    "counter-2026-12-04": _countersign_text_2026_12_04,
}


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
