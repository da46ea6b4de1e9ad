"""Deals: create, move through stages with history, list."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from crm_core.errors import DealNotFound, InvalidValue
from crm_core.models import Customer, Deal, DealStageChange, Staff, Stage
from crm_core.types import to_money
from crm_core.uow import UnitOfWork, snapshot

OPEN_STAGES = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)


def parse_stage(value: str | Stage) -> Stage:
    try:
        return Stage(value)
    except ValueError as exc:
        raise InvalidValue(f"unknown stage {value!r}") from exc


def _amount(value: Decimal | int | str) -> Decimal:
    try:
        amount = to_money(value)
    except ArithmeticError as exc:
        raise InvalidValue(f"not an amount: {value!r}") from exc
    if amount < 0:
        raise InvalidValue("amount cannot be negative")
    return amount


def create_deal(
    uow: UnitOfWork,
    customer: Customer,
    title: str,
    *,
    owner: Staff | None,
    amount: Decimal | int | str = Decimal("0"),
    stage: str | Stage = Stage.LEAD,
    close_date: date | None = None,
) -> Deal:
    """Open a deal and record its first stage."""
    if not title.strip():
        raise InvalidValue("deal title is required")
    deal = Deal(
        customer=customer,
        owner=owner,
        title=title.strip(),
        amount=_amount(amount),
        stage=parse_stage(stage),
        close_date=close_date,
    )
    uow.session.add(deal)
    uow.session.flush()
    deal.history.append(
        DealStageChange(
            from_stage=None,
            to_stage=deal.stage,
            amount=deal.amount,
            changed_by=uow.actor.ref,
        )
    )
    uow.audit("deal.create", deal, None)
    return deal


def update_deal(
    uow: UnitOfWork,
    deal: Deal,
    *,
    stage: str | Stage | None = None,
    amount: Decimal | int | str | None = None,
    close_date: date | None = None,
    owner: Staff | None = None,
) -> Deal:
    """Change a deal's stage, amount, close date or owner; stage moves are kept as history."""
    before = snapshot(deal)
    if owner is not None:
        deal.owner_id = owner.id
    new_stage = parse_stage(stage) if stage is not None else deal.stage
    if amount is not None:
        deal.amount = _amount(amount)
    if close_date is not None:
        deal.close_date = close_date
    if new_stage is not deal.stage:
        deal.history.append(
            DealStageChange(
                from_stage=deal.stage,
                to_stage=new_stage,
                amount=deal.amount,
                changed_by=uow.actor.ref,
            )
        )
        deal.stage = new_stage
    uow.audit("deal.update", deal, before)
    return deal


def get_deal(uow: UnitOfWork, deal_id: int) -> Deal:
    """A deal by id."""
    deal = uow.session.get(Deal, deal_id)
    if deal is None:
        raise DealNotFound(deal_id)
    return deal


def list_deals(
    uow: UnitOfWork,
    *,
    owner: Staff | None = None,
    customer: Customer | None = None,
    open_only: bool = True,
    stage: Stage | None = None,
    reached: tuple[datetime, datetime] | None = None,
    closing: tuple[date, date] | None = None,
    limit: int = 20,
) -> list[Deal]:
    """Deals, most recently changed first: open ones, or those at `stage` (won and lost too);
    with `reached`, only those that moved to `stage` within that UTC [start, end); with
    `closing`, only those expected to close within that [first day, day after), soonest first."""
    query = select(Deal).limit(limit)
    if closing is not None:
        query = query.where(Deal.close_date >= closing[0], Deal.close_date < closing[1])
        query = query.order_by(Deal.close_date, Deal.id)
    else:
        query = query.order_by(Deal.updated_at.desc(), Deal.id.desc())
    if owner is not None:
        query = query.where(Deal.owner_id == owner.id)
    if customer is not None:
        query = query.where(Deal.customer_id == customer.id)
    if stage is not None:
        query = query.where(Deal.stage == stage)
        if reached is not None:
            moved = select(DealStageChange.id).where(
                DealStageChange.deal_id == Deal.id,
                DealStageChange.to_stage == stage,
                DealStageChange.changed_at >= reached[0],
                DealStageChange.changed_at < reached[1],
            )
            query = query.where(moved.exists())
    elif open_only:
        query = query.where(Deal.stage.in_(OPEN_STAGES))
    return list(uow.session.scalars(query))
