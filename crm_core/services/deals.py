"""Deals: create, move through stages with history, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from crm_core.errors import DealNotFound, InvalidValue
from crm_core.models import Customer, Deal, DealStageChange, Staff, Stage
from crm_core.types import UTCDateTime, to_money
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
    reason: str | None = None,
) -> Deal:
    """Change a deal's stage, amount, close date or owner; stage moves are kept as history,
    with the `reason` told for the move (why it was won or lost)."""
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
                reason=reason.strip()[:300] if reason and reason.strip() else None,
            )
        )
        deal.stage = new_stage
    uow.audit("deal.update", deal, before)
    return deal


def stage_reason(deal: Deal) -> str | None:
    """Why the deal reached its stage, as told when it moved there (None if not told)."""
    last = deal.history[-1] if deal.history else None
    return last.reason if last is not None and last.to_stage is deal.stage else None


def get_deal(uow: UnitOfWork, deal_id: int) -> Deal:
    """A deal by id."""
    deal = uow.session.get(Deal, deal_id)
    if deal is None:
        raise DealNotFound(deal_id)
    return deal


@dataclass(frozen=True)
class DealFilter:
    """Which deals: open ones, or those at `stage` (won and lost too); with `reached`, only
    those that moved to `stage` within that UTC [start, end); with `closing`, only those
    expected to close within that [first day, day after); with `still_since`, only those
    whose stage has not changed since then (stuck)."""

    owner: Staff | None = None
    customer: Customer | None = None
    open_only: bool = True
    stage: Stage | None = None
    reached: tuple[datetime, datetime] | None = None
    closing: tuple[date, date] | None = None
    still_since: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions of this filter."""
        out: list[ColumnElement[bool]] = []
        if self.closing is not None:
            out += [Deal.close_date >= self.closing[0], Deal.close_date < self.closing[1]]
        if self.owner is not None:
            out.append(Deal.owner_id == self.owner.id)
        if self.customer is not None:
            out.append(Deal.customer_id == self.customer.id)
        if self.stage is not None:
            out.append(Deal.stage == self.stage)
            if self.reached is not None:
                moved = select(DealStageChange.id).where(
                    DealStageChange.deal_id == Deal.id,
                    DealStageChange.to_stage == self.stage,
                    DealStageChange.changed_at >= self.reached[0],
                    DealStageChange.changed_at < self.reached[1],
                )
                out.append(moved.exists())
        elif self.open_only:
            out.append(Deal.stage.in_(OPEN_STAGES))
        if self.still_since is not None:
            out.append(_stage_entered() < self.still_since)
        return out


def _stage_entered() -> ColumnElement[datetime]:
    """When a deal last changed stage (its creation when it never has)."""
    last = (
        select(func.max(DealStageChange.changed_at))
        .where(DealStageChange.deal_id == Deal.id)
        .correlate(Deal)
        .scalar_subquery()
    )
    return func.coalesce(last, Deal.created_at, type_=UTCDateTime())


def stage_entered(deal: Deal) -> datetime:
    """When `deal` last changed stage (its creation when it never has)."""
    return deal.history[-1].changed_at if deal.history else deal.created_at


def list_deals(
    uow: UnitOfWork,
    wanted: DealFilter | None = None,
    *,
    largest_first: bool = False,
    limit: int = 20,
) -> list[Deal]:
    """The deals `wanted` describes: the largest first with `largest_first`; else those
    expected to close soonest first (a `closing` filter), those stuck longest first (a
    `still_since` filter), or the most recently changed first."""
    wanted = wanted or DealFilter()
    query = select(Deal).where(*wanted.conditions()).limit(limit)
    if largest_first:
        query = query.order_by(Deal.amount.desc(), Deal.id)
    elif wanted.closing is not None:
        query = query.order_by(Deal.close_date, Deal.id)
    elif wanted.still_since is not None:
        query = query.order_by(_stage_entered(), Deal.id).options(selectinload(Deal.history))
    else:
        query = query.order_by(Deal.updated_at.desc(), Deal.id.desc())
    return list(uow.session.scalars(query))


def deal_totals(uow: UnitOfWork, wanted: DealFilter) -> tuple[int, Decimal]:
    """How many deals `wanted` describes and what they add up to, however few are listed."""
    count, total = uow.session.execute(
        select(func.count(Deal.id), func.coalesce(func.sum(Deal.amount), 0)).where(
            *wanted.conditions()
        )
    ).one()
    return int(count or 0), to_money(total or 0)
