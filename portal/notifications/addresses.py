"""The rule for a buyer's email address that the portal sends mail to."""

from email_validator import EmailNotValidError, validate_email


def normalized_buyer_email(address: str) -> str:
    """Return ``address`` normalized, or raise ValueError when mail cannot go to it.

    A non-ASCII local part is rejected, because sending to it needs SMTPUTF8,
    which few mail servers accept. An international domain is allowed and is
    sent in punycode form.
    """
    try:
        return validate_email(
            address.strip(), check_deliverability=False, allow_smtputf8=False
        ).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
