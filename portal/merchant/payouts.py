"""The payouts list: money the processor sent to the business's bank."""

from flask import render_template, request
from sqlalchemy import func, select

from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.permissions import Permission
from portal.models import Payout

PAGE_SIZE = 50


@blueprint.get("/payouts")
@requires(Permission.VIEW)
def payouts():
    session = get_session()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = session.scalar(select(func.count(Payout.id)))
    rows = session.scalars(
        select(Payout)
        .order_by(Payout.initiated_at.desc(), Payout.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "merchant/payouts.html",
        payouts=rows,
        page=page,
        has_next=page * PAGE_SIZE < total,
        total=total,
    )
