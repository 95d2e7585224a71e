"""The customer's billing details page."""

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.account import blueprint
from portal.account.billing_details import read_billing_details, store_billing_details
from portal.account.current import current_customer
from portal.account.switches import section_or_404
from portal.businesses import get_business
from portal.database import get_session
from portal.i18n import country_choices, current_locale

logger = logging.getLogger(__name__)


@blueprint.route("/billing-details", methods=["GET", "POST"])
def billing_details():
    session = get_session()
    business = get_business(session)
    section_or_404(business.account_allows_billing_details)
    customer = current_customer()
    if request.method == "GET":
        return _render(business, _stored_values(customer), {})

    details, errors, values = read_billing_details(request.form)
    if details is None:
        return _render(business, values, errors, 422)
    if store_billing_details(customer, details):
        session.commit()
        logger.info("contact %s updated their billing details", customer.id)
    flash(_("Your billing details are saved. Later invoices use them."), "success")
    return redirect(url_for("account.home") + "#billing-details", 303)


def _stored_values(customer) -> dict[str, str]:
    names = (
        "name",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
        "tax_id",
    )
    return {name: getattr(customer, name) or "" for name in names}


def _render(business, values: dict[str, str], errors: dict[str, str], status=200):
    page = render_template(
        "account/billing_details.html",
        business=business,
        values=values,
        errors=errors,
        countries=country_choices(current_locale()),
    )
    return page, status
