"""The schema, its guards and the core services on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from crm_core import migrate
from crm_core.db import Store
from crm_core.errors import (
    CustomerNotFound,
    DuplicateCustomer,
    InvalidValue,
    OrderNotFound,
    TicketNotFound,
)
from crm_core.models import AuditEntry, Deal, Order, OrderStatus, Priority, Stage, TicketStatus
from crm_core.services import activities, deals, orders, tickets
from crm_core.services.customers import CustomerInput, create_customer, customer_by_reference
from crm_core.services.staff import add_staff
from crm_core.uow import Actor


def _customer(store: Store, name: str = "Acme Trading", phone: str = "081-234-5678") -> int:
    with store.uow(Actor.cli()) as uow:
        customer = create_customer(uow, CustomerInput(name=name, phone=phone))
        uow.commit()
        return customer.id


def test_migrated_to_head(store: Store) -> None:
    assert migrate.head() == "0007_deal_stage_reason"
    assert migrate.current(store.engine) == migrate.head()


def test_the_migrations_build_the_schema_the_models_declare(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from crm_core.models import Base

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(store: Store) -> None:
    with store.uow() as uow, pytest.raises(DBAPIError):
        uow.session.execute(
            text(
                "INSERT INTO interactions (customer_id, type, note, channel, occurred_at)"
                " VALUES (9999, 'call', '', 'cli', CURRENT_TIMESTAMP)"
            )
        )
        uow.session.flush()


def test_downgrade_and_upgrade_again(sqlite_store: Store) -> None:
    from alembic import command

    cfg = migrate.alembic_config(sqlite_store.url)
    with sqlite_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert migrate.current(sqlite_store.engine) is None
    migrate.upgrade(sqlite_store.engine)
    assert migrate.current(sqlite_store.engine) == migrate.head()


def test_customer_phone_is_normalised_and_unique(store: Store) -> None:
    cid = _customer(store, phone="+66 81 234 5678")
    with store.uow() as uow:
        found = customer_by_reference(uow, "0812345678")
        assert found.id == cid and found.phone == "0812345678"
        with pytest.raises(DuplicateCustomer):
            create_customer(uow, CustomerInput(name="Other", phone="081-234-5678"))
        with pytest.raises(InvalidValue):
            create_customer(uow, CustomerInput(name="Bad", phone="12"))
        with pytest.raises(CustomerNotFound):
            customer_by_reference(uow, "Nobody Co")


def test_deal_stage_history_and_audit(store: Store) -> None:
    cid = _customer(store)
    with store.uow(Actor("staff:U1", "slack")) as uow:
        rep = add_staff(uow, "U1", "Somchai", "sales")
        deal = deals.create_deal(
            uow,
            uow.session.get_one(__import__("crm_core.models").models.Customer, cid),
            "Paper Q1",
            owner=rep,
            amount="120000.50",
            stage="proposal",
        )
        uow.commit()
        deal_id = deal.id
    with store.uow(Actor("staff:U1", "slack")) as uow:
        deal = deals.get_deal(uow, deal_id)
        deals.update_deal(
            uow, deal, stage="won", amount=Decimal("80000"), reason=" delivery in a week "
        )
        uow.commit()
    with store.uow() as uow:
        deal = uow.session.get_one(Deal, deal_id)
        # why it was won is kept with the move, and is the deal's reason while it stays won
        assert [h.reason for h in deal.history] == [None, "delivery in a week"]
        assert deals.stage_reason(deal) == "delivery in a week"
        assert deal.stage is Stage.WON
        assert deal.amount == Decimal("80000.00") and isinstance(deal.amount, Decimal)
        assert [(h.from_stage, h.to_stage) for h in deal.history] == [
            (None, Stage.PROPOSAL),
            (Stage.PROPOSAL, Stage.WON),
        ]
        rows = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "deals").order_by(AuditEntry.id)
        ).all()
        assert [r.action for r in rows] == ["deal.create", "deal.update"]
        assert rows[1].before is not None and rows[1].before["stage"] == "proposal"
        assert rows[1].after is not None and rows[1].after["amount"] == "80000.00"
        assert rows[1].actor == "staff:U1" and rows[1].channel == "slack"


def test_money_is_exact(store: Store) -> None:
    cid = _customer(store)
    with store.uow() as uow:
        customer = customer_by_reference(uow, "Acme Trading")
        for amount in ("0.10", "0.20", "9999999999.99"):
            deals.create_deal(uow, customer, f"d{amount}", owner=None, amount=amount)
        uow.commit()
    with store.uow() as uow:
        from sqlalchemy import func

        total = uow.session.scalar(select(func.sum(Deal.amount)).where(Deal.customer_id == cid))
        assert total == Decimal("10000000000.29")


def test_ticket_numbers_sla_and_history(store: Store) -> None:
    cid = _customer(store)
    with store.uow(Actor("line:U9", "line")) as uow:
        customer = customer_by_reference(uow, "Acme Trading")
        first = tickets.create_ticket(
            uow, "ของเสีย", customer=customer, priority="urgent", channel="line"
        )
        second = tickets.create_ticket(uow, "late", customer=customer, channel="line")
        uow.commit()
        assert (first.number, second.number) == ("TCK-2001", "TCK-2002")
        assert (first.sla_due_at - first.created_at).total_seconds() == 4 * 3600
        assert second.priority is Priority.NORMAL
    with store.uow() as uow:
        ticket = tickets.get_ticket(uow, "tck-2001")
        tickets.update_ticket(uow, ticket, status="resolved")
        uow.commit()
        assert ticket.resolved_at is not None
        assert [h.to_status for h in ticket.history] == [TicketStatus.OPEN, TicketStatus.RESOLVED]
        resolved_at = ticket.resolved_at
        tickets.update_ticket(uow, ticket, status="closed")
        assert ticket.resolved_at == resolved_at
        tickets.update_ticket(uow, ticket, status="open")
        assert ticket.resolved_at is None
    with store.uow() as uow:
        other = create_customer(uow, CustomerInput(name="Someone Else"))
        uow.commit()
        with pytest.raises(TicketNotFound):
            tickets.get_ticket(uow, "TCK-2001", customer=other)
        assert tickets.get_ticket(uow, "TCK-2001").customer_id == cid


def test_a_customers_open_tickets_about_an_order_are_those_naming_that_very_order(
    store: Store,
) -> None:
    _customer(store)
    with store.uow(Actor("line:U9", "line")) as uow:
        acme = customer_by_reference(uow, "Acme Trading")
        other = create_customer(uow, CustomerInput(name="Lotus Garden"))
        broken = tickets.create_ticket(
            uow, "ของแตก", customer=acme, description="ของแตก (ORD-3003)", channel="line"
        )
        tickets.create_ticket(uow, "late ord-30031", customer=acme, channel="line")
        done = tickets.create_ticket(uow, "ORD-3003 wrong colour", customer=acme, channel="line")
        tickets.update_ticket(uow, done, status="resolved")
        tickets.create_ticket(uow, "ORD-3003 missing", customer=other, channel="line")
        uow.commit()
        about = tickets.open_tickets_about(uow, acme, "ORD-3003")
        assert [t.number for t in about] == [broken.number]
        assert tickets.open_tickets_about(uow, acme, "ORD-300") == []


def test_order_status_history_and_customer_scope(store: Store) -> None:
    _customer(store)
    with store.uow() as uow:
        acme = customer_by_reference(uow, "Acme Trading")
        other = create_customer(uow, CustomerInput(name="Lotus Garden"))
        order, created = orders.upsert_order(
            uow,
            "ord-0099",
            acme,
            status="paid",
            total="1500",
            placed_at=None,
            carrier=None,
            tracking_number=None,
        )
        assert created and order.number == "ORD-0099"
        orders.change_order_status(
            uow, order, "shipped", carrier="Kerry Express", tracking_number="KE123"
        )
        uow.commit()
        with pytest.raises(OrderNotFound):
            orders.get_order(uow, "ORD-0099", customer=other)
    with store.uow() as uow:
        order = uow.session.scalars(select(Order)).one()
        assert order.status is OrderStatus.SHIPPED and order.carrier == "Kerry Express"
        assert [h.to_status for h in order.history] == [OrderStatus.PAID, OrderStatus.SHIPPED]


def test_a_customers_orders_of_a_period_count_and_add_up_beyond_a_list(store: Store) -> None:
    _customer(store)
    utc = UTC
    with store.uow() as uow:
        acme = customer_by_reference(uow, "Acme Trading")
        other = create_customer(uow, CustomerInput(name="Lotus Garden"))
        for n in range(25):  # more than a chat list shows
            status = "cancelled" if n == 0 else "returned" if n == 1 else "delivered"
            orders.upsert_order(
                uow,
                f"ORD-{n + 100}",
                acme,
                status=status,
                total="100.50",
                placed_at=datetime(2026, 10, 1 + n, 3, tzinfo=utc),
                carrier=None,
                tracking_number=None,
            )
        for number, who, day in (
            ("ORD-900", acme, datetime(2026, 11, 1, tzinfo=utc)),
            ("ORD-901", other, datetime(2026, 10, 5, tzinfo=utc)),
        ):
            orders.upsert_order(
                uow,
                number,
                who,
                status="paid",
                total="7",
                placed_at=day,
                carrier=None,
                tracking_number=None,
            )
        uow.commit()
    october = (datetime(2026, 10, 1, tzinfo=utc), datetime(2026, 11, 1, tzinfo=utc))
    with store.uow() as uow:
        acme = customer_by_reference(uow, "Acme Trading")
        # 25 placed in October, 23 kept: the cancelled and the returned one spend nothing
        assert orders.spent_within(uow, acme, october) == (25, Decimal("2311.50"))
        listed = orders.recent_orders(uow, acme, limit=20, within=october)
        assert len(listed) == 20 and listed[0].number == "ORD-124"


def test_tasks_and_interactions(store: Store) -> None:
    _customer(store)
    with store.uow() as uow:
        rep = add_staff(uow, "U1", "Somchai", "sales")
        acme = customer_by_reference(uow, "Acme Trading")
        activities.log_interaction(uow, acme, "call", "wants a quote", staff=rep, channel="slack")
        later = activities.create_task(uow, rep, "send quote", due_date=date(2026, 12, 1))
        sooner = activities.create_task(uow, rep, "visit", due_date=date(2026, 11, 25))
        undated = activities.create_task(uow, rep, "someday")
        uow.commit()
        assert [t.id for t in activities.open_tasks(uow, rep)] == [sooner.id, later.id, undated.id]
        activities.complete_task(uow, sooner.id, rep)
        uow.commit()
        assert [t.title for t in activities.open_tasks(uow, rep)] == ["send quote", "someday"]
        assert activities.recent_interactions(uow, acme)[0].note == "wants a quote"
        with pytest.raises(InvalidValue):
            activities.log_interaction(uow, acme, "fax", "", staff=rep, channel="slack")


def test_failed_unit_of_work_writes_nothing(store: Store) -> None:
    with store.uow() as uow:
        create_customer(uow, CustomerInput(name="Ghost Co", phone="0899999999"))
        uow.session.flush()
        # leaving without commit rolls back
    with store.uow() as uow, pytest.raises(CustomerNotFound):
        customer_by_reference(uow, "Ghost Co")
