"""Loyalty points: an append-only ledger, derived balances, rewards and tiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from crm_core.errors import InsufficientPoints, InvalidValue, OutOfStock, RewardNotFound
from crm_core.models import Customer, LedgerKind, PointsEntry, Reward, Tier, TierRule
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork, snapshot


def balance(uow: UnitOfWork, customer_id: int) -> int:
    """The customer's current points: the sum of their ledger rows."""
    total = uow.session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.customer_id == customer_id
        )
    )
    return int(total or 0)


def history(
    uow: UnitOfWork,
    customer_id: int,
    limit: int = 10,
    within: tuple[datetime, datetime] | None = None,
) -> list[PointsEntry]:
    """The customer's latest ledger rows, newest first; with `within`, only those written in
    that UTC [start, end)."""
    query = select(PointsEntry).where(PointsEntry.customer_id == customer_id)
    if within is not None:
        query = query.where(PointsEntry.created_at >= within[0], PointsEntry.created_at < within[1])
    return list(uow.session.scalars(query.order_by(PointsEntry.id.desc()).limit(limit)))


def _lock_balance(uow: UnitOfWork, customer_id: int) -> int:
    """Serialise writers of one customer's ledger, then read the balance.

    PostgreSQL: a row lock on the customer; SQLite: the write lock BEGIN IMMEDIATE took.
    """
    uow.session.execute(
        select(Customer.id).where(Customer.id == customer_id).with_for_update()
    ).scalar_one()
    return balance(uow, customer_id)


def _existing(uow: UnitOfWork, idempotency_key: str | None) -> PointsEntry | None:
    if idempotency_key is None:
        return None
    return uow.session.scalar(
        select(PointsEntry).where(PointsEntry.idempotency_key == idempotency_key)
    )


def _append(
    uow: UnitOfWork,
    customer_id: int,
    delta: int,
    kind: LedgerKind,
    reason: str,
    reference: str | None,
    idempotency_key: str | None,
) -> PointsEntry:
    entry = PointsEntry(
        customer_id=customer_id,
        delta=delta,
        kind=kind,
        reason=reason,
        reference=reference,
        idempotency_key=idempotency_key,
        actor=uow.actor.ref,
    )
    uow.session.add(entry)
    uow.audit(f"points.{kind.value}", entry, None)
    if delta > 0 and kind in (LedgerKind.EARN, LedgerKind.ADJUST):
        _raise_tier(uow, customer_id)
    return entry


_TIER_RANK = {tier: rank for rank, tier in enumerate(Tier)}


def _raise_tier(uow: UnitOfWork, customer_id: int) -> None:
    """Move the customer up as soon as the points earned in 12 months reach a higher tier.

    Never down: spending points keeps the tier, and a downgrade is a periodic review's call.
    Opening balances from an import leave the tier the import states.
    """
    uow.session.flush()
    earned = tier_status(uow, customer_id).tier
    customer = uow.session.get_one(Customer, customer_id)
    if _TIER_RANK[earned] > _TIER_RANK[customer.tier]:
        before = snapshot(customer)
        customer.tier = earned
        uow.audit("customer.tier", customer, before)


def earn_points(
    uow: UnitOfWork,
    customer_id: int,
    points: int,
    *,
    reason: str,
    reference: str | None = None,
    idempotency_key: str | None = None,
    kind: LedgerKind = LedgerKind.EARN,
) -> PointsEntry:
    """Credit points (earn, opening balance)."""
    if points <= 0:
        raise InvalidValue("points to earn must be positive")
    return _existing(uow, idempotency_key) or _append(
        uow, customer_id, points, kind, reason, reference, idempotency_key
    )


def adjust_points(
    uow: UnitOfWork,
    customer_id: int,
    delta: int,
    *,
    reason: str,
    idempotency_key: str | None = None,
) -> PointsEntry:
    """A manual correction; a deduction can never take the balance below zero."""
    if delta == 0:
        raise InvalidValue("an adjustment must change the balance")
    if not reason.strip():
        raise InvalidValue("an adjustment needs a reason")
    found = _existing(uow, idempotency_key)
    if found is not None:
        return found
    current = _lock_balance(uow, customer_id)
    if current + delta < 0:
        raise InsufficientPoints(current, -delta)
    return _append(
        uow, customer_id, delta, LedgerKind.ADJUST, reason.strip(), None, idempotency_key
    )


def redeem_points(
    uow: UnitOfWork,
    customer_id: int,
    points: int,
    *,
    reason: str,
    reference: str | None = None,
    idempotency_key: str | None = None,
) -> PointsEntry:
    """Spend points; refused with the balance when it does not cover them."""
    if points <= 0:
        raise InvalidValue("points to redeem must be positive")
    found = _existing(uow, idempotency_key)
    if found is not None:
        return found
    current = _lock_balance(uow, customer_id)
    if current < points:
        raise InsufficientPoints(current, points)
    return _append(uow, customer_id, -points, LedgerKind.REDEEM, reason, reference, idempotency_key)


def list_rewards(uow: UnitOfWork, *, available_only: bool = True) -> list[Reward]:
    """The reward catalogue, cheapest first."""
    query = select(Reward).where(Reward.active.is_(True)).order_by(Reward.points_cost, Reward.id)
    if available_only:
        query = query.where(or_(Reward.stock.is_(None), Reward.stock > 0))
    return list(uow.session.scalars(query))


def get_reward(uow: UnitOfWork, code: str) -> Reward:
    """An active reward by code."""
    reward = uow.session.scalar(
        select(Reward).where(Reward.code == code.strip().upper(), Reward.active.is_(True))
    )
    if reward is None:
        raise RewardNotFound(code)
    return reward


def redemption_number(entry: PointsEntry) -> str:
    """The number a customer shows to receive a redeemed reward: its ledger row's id."""
    return f"R-{entry.id}"


def redeem_reward(
    uow: UnitOfWork, customer_id: int, code: str, *, idempotency_key: str | None = None
) -> PointsEntry:
    """Exchange points for a reward: balance checked, stock taken atomically."""
    found = _existing(uow, idempotency_key)
    if found is not None:
        return found
    reward = get_reward(uow, code)
    current = _lock_balance(uow, customer_id)
    if current < reward.points_cost:
        raise InsufficientPoints(current, reward.points_cost)
    taken = uow.session.execute(
        update(Reward)
        .where(Reward.id == reward.id, or_(Reward.stock.is_(None), Reward.stock > 0))
        .values(stock=Reward.stock - 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        raise OutOfStock(reward.code)
    uow.session.refresh(reward)
    return _append(
        uow,
        customer_id,
        -reward.points_cost,
        LedgerKind.REDEEM,
        f"reward {reward.name_en}",
        reward.code,
        idempotency_key,
    )


@dataclass(frozen=True)
class TierStatus:
    """Where a customer stands: tier earned, points earned in 12 months, next tier."""

    tier: Tier
    earned_12m: int
    next_tier: Tier | None
    points_to_next: int


def tier_status(uow: UnitOfWork, customer_id: int) -> TierStatus:
    """Tier from points earned in the last 12 months against the tier rules.

    Earned means credited: redemptions and expiry do not count against it, but a
    correction does (a mistaken credit taken back, an undone adjustment).
    """
    since = utcnow() - timedelta(days=365)
    earned = int(
        uow.session.scalar(
            select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
                PointsEntry.customer_id == customer_id,
                PointsEntry.kind.in_((LedgerKind.OPENING, LedgerKind.EARN, LedgerKind.ADJUST)),
                PointsEntry.created_at >= since,
            )
        )
        or 0
    )
    rules = list(uow.session.scalars(select(TierRule).order_by(TierRule.min_points)))
    if not rules:
        return TierStatus(Tier.BRONZE, earned, None, 0)
    reached = [r for r in rules if earned >= r.min_points] or rules[:1]
    above = [r for r in rules if earned < r.min_points]
    nxt = above[0] if above else None
    return TierStatus(
        reached[-1].tier,
        earned,
        nxt.tier if nxt else None,
        (nxt.min_points - earned) if nxt else 0,
    )
