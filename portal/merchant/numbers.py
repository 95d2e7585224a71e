"""The one way the back office shows a percent, such as "10%" or "33.34%"."""

from decimal import Decimal

from portal.documents.summary import format_tax_percent
from portal.merchant import blueprint


@blueprint.app_template_filter("back_office_percent")
def back_office_percent(value: Decimal) -> str:
    """Format a stored percent such as 10.0000 as "10%", never as "1E+1%"."""
    return format_tax_percent(value, "en")
