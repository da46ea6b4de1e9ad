"""The demo seeder: a complete, consistent data set, written once, and scaled on request."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import Store, make_engine, make_session_factory
from crm_core.demo import DemoSummary, seed_demo
from crm_core.migrate import upgrade
from crm_core.models import (
    Customer,
    CustomerAlias,
    Deal,
    DealStageChange,
    Interaction,
    InteractionType,
    KnowledgeEntry,
    LedgerKind,
    Lifecycle,
    NumberSequence,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    PointsEntry,
    Priority,
    Reward,
    Role,
    Staff,
    Stage,
    Task,
    Ticket,
    TicketStatus,
    TicketStatusChange,
    Tier,
    TierRule,
)
from crm_core.services.tickets import SLA
from crm_core.uow import Actor, UnitOfWork

NOW = datetime(2026, 11, 20, 4, 30, tzinfo=UTC)
COUNTED = (Customer, Order, OrderItem, Deal, Ticket, Interaction, PointsEntry, Task)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated SQLite file."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def _uows(factory: sessionmaker[Session]) -> Callable[[], UnitOfWork]:
    return lambda: UnitOfWork(factory, Actor.cli())


def _counts(session: Session) -> dict[str, int]:
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED
    }


def _assert_consistent(session: Session) -> None:
    """Invariants that hold for the hand-written set and for any synthetic scale."""
    phones = [p for p in session.scalars(select(Customer.phone)) if p is not None]
    assert len(phones) == len(set(phones))
    assert all(re.fullmatch(r"0[689]\d{8}", p) for p in phones), phones[:5]
    members = [m for m in session.scalars(select(Customer.member_id)) if m is not None]
    assert len(members) == len(set(members))
    assert all(re.fullmatch(r"M-\d+", m) for m in members)

    items: dict[int, Decimal] = defaultdict(Decimal)
    for order_id, qty, price in session.execute(
        select(OrderItem.order_id, OrderItem.quantity, OrderItem.unit_price)
    ):
        items[order_id] += qty * price
    orders = session.execute(select(Order.id, Order.total, Order.status, Order.number)).all()
    for order_id, total, _status, _number in orders:
        assert isinstance(total, Decimal)
        assert total == items[order_id] > 0
    numbers = [int(number.removeprefix("ORD-")) for *_, number in orders]
    assert (
        session.scalar(select(NumberSequence.next_value).where(NumberSequence.name == "order"))
        == max(numbers) + 1
    )

    history: dict[int, list[tuple[OrderStatus | None, OrderStatus]]] = defaultdict(list)
    for order_id, before, after in session.execute(
        select(
            OrderStatusChange.order_id, OrderStatusChange.from_status, OrderStatusChange.to_status
        ).order_by(OrderStatusChange.id)
    ):
        history[order_id].append((before, after))
    for order_id, _total, status, _number in orders:
        steps = history[order_id]
        assert steps[0] == (None, OrderStatus.PENDING)
        assert steps[-1][1] == status
        assert all(a[1] == b[0] for a, b in pairwise(steps))

    stages: dict[int, Stage] = {}
    for deal_id, stage in session.execute(
        select(DealStageChange.deal_id, DealStageChange.to_stage).order_by(DealStageChange.id)
    ):
        stages[deal_id] = stage
    sales = set(session.scalars(select(Staff.id).where(Staff.role == Role.SALES)))
    for deal_id, stage, owner, amount in session.execute(
        select(Deal.id, Deal.stage, Deal.owner_id, Deal.amount)
    ):
        assert stages[deal_id] == stage
        assert owner in sales
        assert isinstance(amount, Decimal) and amount > 0

    last_ticket_status: dict[int, TicketStatus] = {}
    for ticket_id, ticket_status in session.execute(
        select(TicketStatusChange.ticket_id, TicketStatusChange.to_status).order_by(
            TicketStatusChange.id
        )
    ):
        last_ticket_status[ticket_id] = ticket_status
    for ticket in session.scalars(select(Ticket)):
        assert last_ticket_status[ticket.id] == ticket.status
        assert ticket.sla_due_at - ticket.created_at == SLA[ticket.priority]
        assert ticket.channel in {"line", "slack"}
        assert (ticket.resolved_at is not None) == (
            ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        )
        assert ticket.created_at <= NOW

    balances: dict[int, int] = defaultdict(int)
    for customer_id, delta in session.execute(
        select(PointsEntry.customer_id, PointsEntry.delta).order_by(PointsEntry.id)
    ):
        balances[customer_id] += delta
        assert balances[customer_id] >= 0, f"customer {customer_id} goes negative"

    latest = max(
        session.scalar(select(func.max(Order.placed_at))) or NOW,
        session.scalar(select(func.max(PointsEntry.created_at))) or NOW,
        session.scalar(select(func.max(Interaction.occurred_at))) or NOW,
    )
    assert latest <= NOW


def test_demo_seed_is_complete_and_consistent(factory: sessionmaker[Session]) -> None:
    summary = seed_demo(_uows(factory), now=NOW)
    assert summary.created
    assert "35 customers" in summary.describe()

    with factory() as session:
        counts = _counts(session)
        assert summary.customers == counts["customers"] >= 30
        assert summary.orders == counts["orders"]
        assert summary.points_entries == counts["points_ledger"]
        _assert_consistent(session)

        staff = {
            sid: role for sid, role in session.execute(select(Staff.slack_user_id, Staff.role))
        }
        assert staff == {
            "U_DEMO_SALES": Role.SALES,
            "U_DEMO_SALES2": Role.SALES,
            "U_DEMO_SUPPORT": Role.SUPPORT,
            "U_DEMO_MANAGER": Role.MANAGER,
            "U_DEMO_ADMIN": Role.ADMIN,
        }

        customers = list(session.scalars(select(Customer)))
        by_name = {c.name: c for c in customers}
        for name in ("Acme Trading", "Siam Paper Co.", "ซีพีออลล์", "สมศรี ใจดี", "John Carter"):
            assert name in by_name
        assert {"สยามเปเปอร์", "SPC"} <= set(by_name["Siam Paper Co."].alias_names)
        assert by_name["สมศรี ใจดี"].line_user_id == "U_DEMO_LINE_SOMSRI"
        assert by_name["มาลี ศรีสวัสดิ์"].line_user_id == "U_DEMO_LINE_MALEE"
        assert any(re.fullmatch(r"U[0-9a-f]{32}", c.line_user_id or "") for c in customers)
        assert {c.tier for c in customers} == set(Tier)
        assert any(c.lifecycle is Lifecycle.LEAD for c in customers)
        consenting = [c for c in customers if c.marketing_consent]
        assert consenting
        assert all(c.consent_at and c.consent_source == "import" for c in consenting)

        orders = list(session.scalars(select(Order)))
        assert {o.status for o in orders} == set(OrderStatus)
        assert min(o.number for o in orders) == "ORD-3001"
        for order in orders:
            shipped = order.status in (
                OrderStatus.SHIPPED,
                OrderStatus.DELIVERED,
                OrderStatus.RETURNED,
            )
            assert bool(order.carrier and order.tracking_number) == shipped
        assert {o.carrier for o in orders} >= {
            "Kerry Express",
            "Flash Express",
            "Thailand Post",
            "J&T Express",
        }
        assert any(NOW - o.placed_at < timedelta(days=7) for o in orders)
        assert any(NOW - o.placed_at > timedelta(days=180) for o in orders)

        assert set(session.scalars(select(Deal.stage).distinct())) == set(Stage)
        won_recently = session.scalar(
            select(func.count())
            .select_from(Deal)
            .where(Deal.stage == Stage.WON, Deal.updated_at >= NOW - timedelta(days=30))
        )
        assert won_recently

        tickets = list(session.scalars(select(Ticket)))
        assert {t.status for t in tickets} == set(TicketStatus)
        assert {t.priority for t in tickets} == set(Priority)
        assert min(t.number for t in tickets) == "TCK-2001"
        assert session.scalar(
            select(NumberSequence.next_value).where(NumberSequence.name == "ticket")
        ) == 2001 + len(tickets)

        assert set(session.scalars(select(Interaction.type).distinct())) == set(InteractionType)
        kinds = set(session.scalars(select(PointsEntry.kind).distinct()))
        assert kinds >= {LedgerKind.OPENING, LedgerKind.EARN, LedgerKind.REDEEM, LedgerKind.ADJUST}

        today = NOW.date()  # 11:30 in Bangkok: the same calendar day
        tasks = list(session.scalars(select(Task)))
        assert any(t.due_date == today and not t.done for t in tasks)
        assert any(t.due_date and t.due_date < today and not t.done for t in tasks)
        assert any(t.done and t.done_at for t in tasks)

        rewards = list(session.scalars(select(Reward)))
        assert len(rewards) >= 6
        assert any(r.stock == 0 for r in rewards)
        assert any(r.stock and r.stock > 0 for r in rewards)
        rules = {r.tier: (r.min_points, r.earn_percent) for r in session.scalars(select(TierRule))}
        assert rules == {
            Tier.BRONZE: (0, 100),
            Tier.SILVER: (1000, 110),
            Tier.GOLD: (5000, 125),
            Tier.PLATINUM: (20000, 150),
        }
        faq = list(session.scalars(select(KnowledgeEntry)))
        assert len(faq) >= 10
        assert all(len(e.questions) >= 3 and e.answer_th and e.answer_en for e in faq)
        questions = {q for e in faq for q in e.questions}
        assert {"ร้านปิดวันไหนบ้างคะ", "do you deliver on weekends?"} <= questions


def test_seeding_twice_adds_nothing(factory: sessionmaker[Session]) -> None:
    seed_demo(_uows(factory), now=NOW)
    with factory() as session:
        before = _counts(session)
        aliases = session.scalar(select(func.count()).select_from(CustomerAlias))

    again = seed_demo(_uows(factory), now=NOW + timedelta(days=1))

    assert again == DemoSummary(created=False)
    assert "nothing added" in again.describe()
    with factory() as session:
        assert _counts(session) == before
        assert session.scalar(select(func.count()).select_from(CustomerAlias)) == aliases


def test_scale_adds_proportional_synthetic_data_once(factory: sessionmaker[Session]) -> None:
    seed_demo(_uows(factory), now=NOW)
    with factory() as session:
        base = _counts(session)
    calls: list[tuple[int, int]] = []

    summary = seed_demo(
        _uows(factory), scale=300, now=NOW, progress=lambda done, total: calls.append((done, total))
    )

    assert calls[-1] == (300, 300)
    assert summary.synthetic_customers == summary.customers == 300
    with factory() as session:
        added = {k: v - base[k] for k, v in _counts(session).items()}
        assert added["customers"] == 300
        assert 450 <= added["orders"] <= 750
        assert added["order_items"] >= added["orders"]
        assert 50 <= added["deals"] <= 150
        assert 25 <= added["tickets"] <= 100
        assert 200 <= added["interactions"] <= 400
        assert 600 <= added["points_ledger"] <= 1200
        assert added["tasks"] == 0
        _assert_consistent(session)

    assert not seed_demo(_uows(factory), scale=300, now=NOW).created
    with factory() as session:
        assert _counts(session)["customers"] == base["customers"] + 300


def test_scale_is_deterministic_and_tops_up(tmp_path: Path) -> None:
    names: list[list[str]] = []
    for run in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path / f'{run}.db'}")
        upgrade(engine)
        factory = make_session_factory(engine)
        if run == "a":
            seed_demo(_uows(factory), scale=60, now=NOW)
        else:
            seed_demo(_uows(factory), scale=20, now=NOW)
            seed_demo(_uows(factory), scale=60, now=NOW)
        with factory() as session:
            names.append(list(session.scalars(select(Customer.name).order_by(Customer.id))))
            assert session.scalar(select(func.count()).select_from(Customer)) == 35 + 60
            _assert_consistent(session)
        engine.dispose()
    assert names[0][:55] == names[1][:55]


@pytest.mark.postgres
def test_demo_seed_on_postgres(postgres_store: Store) -> None:
    def uows() -> UnitOfWork:
        return postgres_store.uow(Actor.cli())

    summary = seed_demo(uows, scale=200, now=NOW)

    assert (summary.customers, summary.synthetic_customers) == (235, 200)
    with postgres_store.session_factory() as session:
        _assert_consistent(session)
        assert set(session.scalars(select(Order.status).distinct())) == set(OrderStatus)
    assert not seed_demo(uows, scale=200, now=NOW).created
