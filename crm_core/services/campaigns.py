"""Campaign audiences: opted-in, reachable customers of a tier or RFM segment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from crm_core import reports
from crm_core.errors import InvalidValue
from crm_core.models import Customer, Tier
from crm_core.uow import UnitOfWork

TIERS = {t.value for t in Tier}


def audience(uow: UnitOfWork, segment: str, now: datetime) -> list[int]:
    """Ids of customers who may get marketing: consented, on LINE, following, in segment."""
    query = select(Customer.id).where(
        Customer.marketing_consent.is_(True),
        Customer.line_user_id.is_not(None),
        Customer.line_followed.is_(True),
    )
    segment = segment.strip().lower()
    if segment in TIERS:
        query = query.where(Customer.tier == Tier(segment))
    elif segment in reports.SEGMENTS:
        members = set(reports.customers_in_segment(uow, segment, now))
        return [cid for cid in uow.session.scalars(query.order_by(Customer.id)) if cid in members]
    elif segment not in ("all", "everyone"):
        raise InvalidValue(f"unknown segment {segment!r}")
    return list(uow.session.scalars(query.order_by(Customer.id)))
