"""The points ledger: append-only, derived balance, never below zero, also under contention."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from crm_core.db import Store
from crm_core.errors import InsufficientPoints, InvalidValue, OutOfStock
from crm_core.models import Customer, LedgerKind, PointsEntry, Reward, Tier, TierRule
from crm_core.services import loyalty, undo
from crm_core.services.customers import CustomerInput, create_customer
from crm_core.types import utcnow
from crm_core.uow import Actor


def _member(store: Store, points: int) -> int:
    with store.uow(Actor.cli()) as uow:
        customer = create_customer(uow, CustomerInput(name="Somsri", phone="0811111111"))
        uow.session.flush()
        if points:
            loyalty.earn_points(uow, customer.id, points, reason="opening", kind=LedgerKind.OPENING)
        uow.commit()
        return customer.id


def test_balance_is_the_sum_of_the_ledger(store: Store) -> None:
    cid = _member(store, 500)
    with store.uow() as uow:
        loyalty.earn_points(uow, cid, 120, reason="order ORD-3001", reference="ORD-3001")
        loyalty.redeem_points(uow, cid, 200, reason="discount")
        loyalty.adjust_points(uow, cid, -20, reason="correction")
        uow.commit()
        assert loyalty.balance(uow, cid) == 400
        assert [e.delta for e in loyalty.history(uow, cid)] == [-20, -200, 120, 500]


def test_history_within_a_period_keeps_only_its_rows(store: Store) -> None:
    cid = _member(store, 500)
    now = utcnow()
    with store.uow() as uow:
        for days, delta in ((200, 70), (40, 30), (2, -20)):
            uow.session.add(
                PointsEntry(
                    customer_id=cid,
                    delta=delta,
                    kind=LedgerKind.ADJUST,
                    reason="test",
                    actor="cli",
                    created_at=now - timedelta(days=days),
                )
            )
        uow.commit()
    with store.uow() as uow:
        last_month = (now - timedelta(days=30), now + timedelta(minutes=1))
        assert [e.delta for e in loyalty.history(uow, cid, within=last_month)] == [-20, 500]
        last_year = (now - timedelta(days=365), now + timedelta(minutes=1))
        assert [e.delta for e in loyalty.history(uow, cid, within=last_year, limit=2)] == [-20, 30]
        assert len(loyalty.history(uow, cid, within=last_year)) == 4


def test_ledger_rows_cannot_be_changed_or_deleted(store: Store) -> None:
    cid = _member(store, 100)
    for statement in ("UPDATE points_ledger SET delta = 999", "DELETE FROM points_ledger"):
        with store.uow() as uow, pytest.raises(DBAPIError, match="append-only"):
            uow.session.execute(text(statement))
    with store.uow() as uow:
        assert loyalty.balance(uow, cid) == 100


def test_redeeming_more_than_the_balance_is_refused_and_writes_nothing(store: Store) -> None:
    cid = _member(store, 150)
    with store.uow() as uow:
        with pytest.raises(InsufficientPoints) as info:
            loyalty.redeem_points(uow, cid, 151, reason="too much")
        assert (info.value.balance, info.value.requested) == (150, 151)
        with pytest.raises(InsufficientPoints):
            loyalty.adjust_points(uow, cid, -151, reason="too much")
        with pytest.raises(InvalidValue):
            loyalty.redeem_points(uow, cid, 0, reason="nothing")
        uow.commit()
    with store.uow() as uow:
        assert uow.session.scalars(select(PointsEntry)).all()[-1].delta == 150
        assert loyalty.balance(uow, cid) == 150


def test_idempotency_key_applies_once(store: Store) -> None:
    cid = _member(store, 300)
    for _ in range(3):
        with store.uow() as uow:
            loyalty.redeem_points(uow, cid, 100, reason="r", idempotency_key="line:evt-1")
            uow.commit()
    with store.uow() as uow:
        assert loyalty.balance(uow, cid) == 200


def test_reward_redemption_takes_stock_and_points(store: Store) -> None:
    cid = _member(store, 1000)
    with store.uow() as uow:
        uow.session.add_all(
            [
                Reward(code="MUG", name_th="แก้ว", name_en="Mug", points_cost=400, stock=1),
                Reward(code="BAG", name_th="กระเป๋า", name_en="Bag", points_cost=2000, stock=None),
            ]
        )
        uow.commit()
    with store.uow() as uow:
        entry = loyalty.redeem_reward(uow, cid, "mug")
        uow.commit()
        assert entry.delta == -400 and entry.reference == "MUG"
    with store.uow() as uow:
        with pytest.raises(OutOfStock):
            loyalty.redeem_reward(uow, cid, "MUG")
        with pytest.raises(InsufficientPoints):
            loyalty.redeem_reward(uow, cid, "BAG")
        assert [r.code for r in loyalty.list_rewards(uow)] == ["BAG"]
        assert loyalty.balance(uow, cid) == 600


def test_tier_from_points_earned(store: Store) -> None:
    cid = _member(store, 1200)
    with store.uow() as uow:
        uow.session.add_all(
            [
                TierRule(tier=Tier.BRONZE, min_points=0, earn_percent=100),
                TierRule(tier=Tier.SILVER, min_points=1000, earn_percent=110),
                TierRule(tier=Tier.GOLD, min_points=5000, earn_percent=125),
            ]
        )
        uow.commit()
        status = loyalty.tier_status(uow, cid)
        assert (status.tier, status.next_tier, status.points_to_next) == (
            Tier.SILVER,
            Tier.GOLD,
            3800,
        )


def _contend(store: Store, cid: int, threads: int, points: int) -> tuple[int, int]:
    """`threads` concurrent redemptions of `points` each; returns (succeeded, refused)."""
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def redeem(i: int) -> None:
        barrier.wait()
        try:
            with store.uow(Actor(f"test:{i}", "test")) as uow:
                loyalty.redeem_points(uow, cid, points, reason=f"race {i}")
                uow.commit()
            result = "ok"
        except InsufficientPoints:
            result = "refused"
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=redeem, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes.count("ok"), outcomes.count("refused")


def test_fifty_concurrent_redemptions_on_postgres(postgres_store: Store) -> None:
    """50 threads redeem 100 points each against a balance of 1,050: exactly 10 succeed."""
    postgres_store.engine.pool.dispose()
    cid = _member(postgres_store, 1050)
    ok, refused = _contend(postgres_store, cid, 50, 100)
    assert (ok, refused) == (10, 40)
    with postgres_store.uow() as uow:
        assert loyalty.balance(uow, cid) == 50
        assert len(loyalty.history(uow, cid, limit=100)) == 11


def test_concurrent_redemptions_on_sqlite(sqlite_store: Store) -> None:
    cid = _member(sqlite_store, 1050)
    ok, refused = _contend(sqlite_store, cid, 20, 100)
    assert (ok, refused) == (10, 10)
    with sqlite_store.uow() as uow:
        assert loyalty.balance(uow, cid) == 50


def test_earning_into_a_higher_tier_moves_the_customer_up_and_undo_moves_back(
    store: Store,
) -> None:
    cid = _member(store, 900)
    with store.uow(Actor.cli()) as uow:
        uow.session.add_all(
            [
                TierRule(tier=Tier.BRONZE, min_points=0, earn_percent=100),
                TierRule(tier=Tier.SILVER, min_points=1000, earn_percent=110),
                TierRule(tier=Tier.GOLD, min_points=5000, earn_percent=125),
            ]
        )
        uow.commit()
    with store.uow(Actor.cli()) as uow:
        # an opening balance sets no tier (imports say the tier themselves)
        assert uow.session.get_one(Customer, cid).tier is Tier.BRONZE
        loyalty.earn_points(uow, cid, 150, reason="order ORD-3001", reference="ORD-3001")
        uow.commit()
        assert uow.session.get_one(Customer, cid).tier is Tier.SILVER
    staff = Actor("slack:U_MANAGER", "slack")
    with store.uow(staff) as uow:
        marker = undo.audit_marker(uow)
        loyalty.adjust_points(uow, cid, 4000, reason="goodwill")
        ids = undo.audit_ids_since(uow, marker)
        uow.commit()
        assert uow.session.get_one(Customer, cid).tier is Tier.GOLD
    with store.uow(staff) as uow:
        undo.undo_last(uow, ids)
        uow.commit()
        assert uow.session.get_one(Customer, cid).tier is Tier.SILVER
        assert loyalty.balance(uow, cid) == 1050
        # the undone credit no longer counts towards the next tier
        assert loyalty.tier_status(uow, cid).earned_12m == 1050
    with store.uow(Actor.cli()) as uow:
        # spending points never lowers the tier
        loyalty.redeem_points(uow, cid, 1000, reason="discount")
        uow.commit()
        assert uow.session.get_one(Customer, cid).tier is Tier.SILVER
