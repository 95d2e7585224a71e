"""The business this installation belongs to."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Business


class BusinessMissing(LookupError):
    pass


def get_business(session: Session) -> Business:
    business = session.scalars(select(Business).order_by(Business.id)).first()
    if business is None:
        raise BusinessMissing(
            "No business is set up; run 'flask --app wsgi demo seed' or create one."
        )
    return business
