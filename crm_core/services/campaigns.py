"""Campaigns: opted-in, reachable customers of a tier or RFM segment, sent as LINE multicasts.

A campaign is queued as outbox rows of at most `BATCH` recipients each (LINE's multicast
limit), one transaction for all of them; `khui worker` delivers each batch, drops anyone who
unfollowed or opted out meanwhile, and reports the counts to whoever sent it once the last
batch is out.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from crm_core import reports
from crm_core.errors import InvalidValue
from crm_core.models import Customer, Tier
from crm_core.services import outbox
from crm_core.uow import UnitOfWork

TIERS = {t.value for t in Tier}
BATCH = 500
KIND = "campaign"


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


def queue_campaign(
    uow: UnitOfWork,
    customer_ids: list[int],
    *,
    segment: str,
    text: str,
    lang: str,
    report_to: str | None,
) -> tuple[str, int, int]:
    """Queue the message to the customers' LINE accounts in batches.

    Returns (campaign id, recipients, batches).
    """
    recipients = list(
        uow.session.scalars(
            select(Customer.line_user_id)
            .where(Customer.id.in_(customer_ids), Customer.line_user_id.is_not(None))
            .order_by(Customer.id)
        )
    )
    campaign = uuid.uuid4().hex[:12]
    batches = [recipients[i : i + BATCH] for i in range(0, len(recipients), BATCH)]
    for number, batch in enumerate(batches, 1):
        row = outbox.enqueue(
            uow,
            kind=KIND,
            platform="line",
            target="multicast",
            payload={
                "campaign": campaign,
                "segment": segment,
                "text": text,
                "lang": lang,
                "to": [str(uid) for uid in batch],
                "batch": number,
                "batches": len(batches),
                "report_to": report_to,
            },
            dedupe_key=batch_key(campaign, number),
        )
        if row is not None and number == 1:
            summary = {"campaign": campaign, "segment": segment, "recipients": len(recipients)}
            uow.audit("campaign.queue", row, None, {**summary, "batches": len(batches)})
    return campaign, len(recipients), len(batches)


def batch_key(campaign: str, number: int) -> str:
    """The dedupe key of one batch; all batches of a campaign share the prefix `campaign:<id>:`."""
    return f"{KIND}:{campaign}:{number:05d}"
