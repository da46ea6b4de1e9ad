"""Report queries on small known data sets, periods in Asia/Bangkok, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from crm_core import reports
from crm_core.db import Store
from crm_core.errors import InvalidValue
from crm_core.models import (
    Customer,
    Deal,
    DealStageChange,
    Interaction,
    InteractionType,
    LedgerKind,
    Lifecycle,
    Order,
    OrderStatus,
    PointsEntry,
    Priority,
    Role,
    Staff,
    Stage,
    Ticket,
    TicketStatus,
    Tier,
)
from crm_core.uow import UnitOfWork

BKK = ZoneInfo("Asia/Bangkok")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def bkk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BKK)


# Wednesday 14 May 2025, 10:00 in Bangkok (03:00 UTC).
NOW = bkk(2025, 5, 14, 10)
D = Decimal
ORDER_NUMBERS = itertools.count(3001)


# --- periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "now", "start", "end"),
    [
        ("today", NOW, utc(2025, 5, 13, 17), utc(2025, 5, 14, 17)),
        ("yesterday", NOW, utc(2025, 5, 12, 17), utc(2025, 5, 13, 17)),
        ("this_week", NOW, utc(2025, 5, 11, 17), utc(2025, 5, 18, 17)),
        ("last_week", NOW, utc(2025, 5, 4, 17), utc(2025, 5, 11, 17)),
        ("this_month", NOW, utc(2025, 4, 30, 17), utc(2025, 5, 31, 17)),
        ("last_month", NOW, utc(2025, 3, 31, 17), utc(2025, 4, 30, 17)),
        ("this_quarter", NOW, utc(2025, 3, 31, 17), utc(2025, 6, 30, 17)),
        ("last_quarter", NOW, utc(2024, 12, 31, 17), utc(2025, 3, 31, 17)),
        ("this_year", NOW, utc(2024, 12, 31, 17), utc(2025, 12, 31, 17)),
        ("last_year", NOW, utc(2023, 12, 31, 17), utc(2024, 12, 31, 17)),
        # Monday 00:30 in Bangkok is still Sunday in UTC: the week has begun locally.
        ("today", utc(2025, 5, 11, 17, 30), utc(2025, 5, 11, 17), utc(2025, 5, 12, 17)),
        ("this_week", utc(2025, 5, 11, 17, 30), utc(2025, 5, 11, 17), utc(2025, 5, 18, 17)),
        ("this_week", utc(2025, 5, 11, 16, 30), utc(2025, 5, 4, 17), utc(2025, 5, 11, 17)),
        # New Year's night in Bangkok is still 31 December in UTC.
        ("this_year", bkk(2025, 1, 1, 0, 30), utc(2024, 12, 31, 17), utc(2025, 12, 31, 17)),
        ("this_quarter", bkk(2025, 1, 1, 0, 30), utc(2024, 12, 31, 17), utc(2025, 3, 31, 17)),
        ("last_quarter", bkk(2025, 1, 1, 0, 30), utc(2024, 9, 30, 17), utc(2024, 12, 31, 17)),
        ("last_month", bkk(2025, 1, 1, 0, 30), utc(2024, 11, 30, 17), utc(2024, 12, 31, 17)),
        ("this_quarter", bkk(2025, 3, 31, 23), utc(2024, 12, 31, 17), utc(2025, 3, 31, 17)),
        ("this_quarter", bkk(2025, 4, 1, 0), utc(2025, 3, 31, 17), utc(2025, 6, 30, 17)),
        # periods ahead, for the deals expected to close then
        ("next_week", NOW, utc(2025, 5, 18, 17), utc(2025, 5, 25, 17)),
        ("next_month", bkk(2025, 12, 31, 23), utc(2025, 12, 31, 17), utc(2026, 1, 31, 17)),
        ("next_quarter", NOW, utc(2025, 6, 30, 17), utc(2025, 9, 30, 17)),
        ("next_year", NOW, utc(2025, 12, 31, 17), utc(2026, 12, 31, 17)),
        # look-backs: whole local days up to and including today
        ("past_7_days", NOW, utc(2025, 5, 7, 17), utc(2025, 5, 14, 17)),
        ("past_1_days", NOW, utc(2025, 5, 13, 17), utc(2025, 5, 14, 17)),
        ("past_3_months", NOW, utc(2025, 2, 14, 17), utc(2025, 5, 14, 17)),
        # three months before 31 May is 28 February (no 31 February): from 1 March
        ("past_3_months", bkk(2025, 5, 31, 9), utc(2025, 2, 28, 17), utc(2025, 5, 31, 17)),
        ("past_12_months", NOW, utc(2024, 5, 14, 17), utc(2025, 5, 14, 17)),
    ],
)
def test_period_range_is_local_calendar_time(
    period: str, now: datetime, start: datetime, end: datetime
) -> None:
    assert reports.period_range(period, now) == (start, end)


@pytest.mark.parametrize("period", ["past_0_days", "past_732_days", "past_25_months", "past_x"])
def test_a_look_back_out_of_range_is_refused(period: str) -> None:
    with pytest.raises(InvalidValue):
        reports.period_range(period, NOW)


def test_period_range_in_another_time_zone() -> None:
    assert reports.period_range("today", utc(2025, 5, 13, 18), tz="UTC") == (
        utc(2025, 5, 13),
        utc(2025, 5, 14),
    )


@pytest.mark.parametrize(
    ("period", "now", "start", "end"),
    [
        # running periods compare with the same elapsed time of the unit before
        ("today", NOW, utc(2025, 5, 12, 17), utc(2025, 5, 13, 3)),
        ("this_week", NOW, utc(2025, 5, 4, 17), utc(2025, 5, 7, 3)),
        ("this_quarter", NOW, utc(2024, 12, 31, 17), utc(2025, 2, 13, 3)),
        ("this_year", NOW, utc(2023, 12, 31, 17), utc(2024, 5, 13, 3)),
        # ... but never past that unit's end (February is shorter than 30.5 days)
        ("this_month", bkk(2025, 3, 31, 12), utc(2025, 1, 31, 17), utc(2025, 2, 28, 17)),
        # finished periods compare with the whole unit before
        ("yesterday", NOW, utc(2025, 5, 11, 17), utc(2025, 5, 12, 17)),
        ("last_week", NOW, utc(2025, 4, 27, 17), utc(2025, 5, 4, 17)),
        ("last_month", NOW, utc(2025, 2, 28, 17), utc(2025, 3, 31, 17)),
        ("last_quarter", NOW, utc(2024, 9, 30, 17), utc(2024, 12, 31, 17)),
        ("last_year", NOW, utc(2022, 12, 31, 17), utc(2023, 12, 31, 17)),
        # a look-back compares with as long before it, up to as long ago at this time
        ("past_7_days", NOW, utc(2025, 4, 30, 17), utc(2025, 5, 7, 3)),
        ("past_3_months", NOW, utc(2024, 11, 14, 17), utc(2025, 2, 14, 3)),
    ],
)
def test_previous_range(period: str, now: datetime, start: datetime, end: datetime) -> None:
    assert reports.previous_range(period, now) == (start, end)


def test_bad_period_input_is_refused() -> None:
    with pytest.raises(InvalidValue, match="next_decade"):
        reports.period_range("next_decade", NOW)
    with pytest.raises(InvalidValue, match="aware"):
        reports.period_range("today", datetime(2025, 5, 14, 10))
    with pytest.raises(InvalidValue, match="time zone"):
        reports.previous_range("today", NOW, tz="Mars/Olympus")


# --- data builders -------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    anan: int
    busaba: int


def _team(uow: UnitOfWork) -> Team:
    anan = Staff(slack_user_id="UANAN", name="Anan", role=Role.SALES)
    busaba = Staff(slack_user_id="UBUSABA", name="Busaba", role=Role.SALES)
    uow.session.add_all([anan, busaba])
    uow.session.flush()
    return Team(anan.id, busaba.id)


def _customer(uow: UnitOfWork, name: str, **fields: object) -> Customer:
    customer = Customer(name=name, **fields)
    uow.session.add(customer)
    uow.session.flush()
    return customer


def _deal(
    uow: UnitOfWork,
    customer: Customer,
    owner_id: int | None,
    moves: list[tuple[Stage, str, datetime]],
) -> None:
    """A deal with its stage history; the last move is its current stage and amount."""
    stage, amount, _ = moves[-1]
    deal = Deal(customer=customer, owner_id=owner_id, title="deal", amount=D(amount), stage=stage)
    uow.session.add(deal)
    previous: Stage | None = None
    for to_stage, at_amount, at in moves:
        uow.session.add(
            DealStageChange(
                deal=deal,
                from_stage=previous,
                to_stage=to_stage,
                amount=D(at_amount),
                changed_by="test",
                changed_at=at,
            )
        )
        previous = to_stage


def _deals(store: Store) -> Team:
    april = utc(2025, 4, 1)
    with store.uow() as uow:
        team = _team(uow)
        acme = _customer(uow, "Acme")
        anan, busaba = team.anan, team.busaba
        won = Stage.WON
        _deal(uow, acme, anan, [(Stage.LEAD, "80000", april), (won, "80000", utc(2025, 5, 12, 2))])
        _deal(
            uow,
            acme,
            anan,
            [(Stage.PROPOSAL, "20000.50", april), (won, "20000.50", utc(2025, 5, 13, 16, 30))],
        )
        # Monday 06:00 in Bangkok, Sunday in UTC: this week.
        _deal(
            uow, acme, busaba, [(Stage.LEAD, "15000", april), (won, "15000", utc(2025, 5, 11, 23))]
        )
        # Won by mistake and moved back four minutes later: not a sale.
        _deal(
            uow,
            acme,
            busaba,
            [
                (Stage.NEGOTIATION, "5000", april),
                (won, "5000", utc(2025, 5, 12, 3)),
                (Stage.NEGOTIATION, "5000", utc(2025, 5, 12, 3, 4)),
            ],
        )
        # Last week, Tuesday: inside the to-date comparison window.
        _deal(uow, acme, anan, [(Stage.LEAD, "30000", april), (won, "30000", utc(2025, 5, 6, 3))])
        # Last week, Friday: after Wednesday 10:00, so outside it.
        _deal(uow, acme, busaba, [(Stage.LEAD, "12000", april), (won, "12000", utc(2025, 5, 9, 5))])
        # Won twice this week: counted once, at the later amount.
        _deal(
            uow,
            acme,
            anan,
            [
                (Stage.LEAD, "9000", april),
                (won, "9000", utc(2025, 5, 12, 4)),
                (Stage.NEGOTIATION, "9000", utc(2025, 5, 12, 5)),
                (won, "10000", utc(2025, 5, 13, 4)),
            ],
        )
        _deal(uow, acme, None, [(Stage.LEAD, "1000", april), (won, "1000", utc(2025, 5, 13, 6))])
        # the open pipeline (plus the reopened 5,000 deal above)
        _deal(uow, acme, anan, [(Stage.LEAD, "10000", april)])
        _deal(uow, acme, anan, [(Stage.QUALIFIED, "20000", april)])
        _deal(uow, acme, busaba, [(Stage.PROPOSAL, "40000.10", april)])
        _deal(uow, acme, anan, [(Stage.NEGOTIATION, "8000", april)])
        _deal(
            uow, acme, anan, [(Stage.LEAD, "99999", april), (Stage.LOST, "99999", utc(2025, 5, 13))]
        )
        uow.commit()
    return team


# --- sales ---------------------------------------------------------------------------


def test_sales_this_week_by_rep_against_last_week_to_date(store: Store) -> None:
    team = _deals(store)
    with store.uow() as uow:
        report = reports.sales_report(uow, "this_week", NOW)
    assert (report.won_count, report.won_amount) == (5, D("126000.50"))
    assert isinstance(report.won_amount, Decimal)
    assert str(report.won_amount) == "126000.50"
    assert report.rows() == [
        ("Anan", 3, D("110000.50")),
        ("Busaba", 1, D("15000.00")),
        (None, 1, D("1000.00")),
    ]
    assert [r.staff_id for r in report.by_rep] == [team.anan, team.busaba, None]
    assert (report.previous_start, report.previous_end) == (
        utc(2025, 5, 4, 17),
        utc(2025, 5, 7, 3),
    )
    assert (report.previous_count, report.previous_amount) == (1, D("30000.00"))
    assert report.amount_change_pct == D("320.0")
    assert report.count_change_pct == D("400.0")
    # one deal lost this week: five of six settled deals were won
    assert (report.lost_count, report.win_rate) == (1, D("83.3"))
    assert report.summary() == [
        ("won_count", 5),
        ("won_amount", D("126000.50")),
        ("average_amount", D("25200.10")),
        ("lost_count", 1),
        ("win_rate", D("83.3")),
        ("previous_count", 1),
        ("previous_amount", D("30000.00")),
        ("count_change_pct", D("400.0")),
        ("amount_change_pct", D("320.0")),
        # no orders: the team's report says so
        ("orders_count", 0),
        ("orders_amount", D("0")),
        ("orders_amount_change_pct", None),
    ]


def test_the_teams_sales_report_counts_the_kept_orders_against_the_period_before(
    store: Store,
) -> None:
    team = _deals(store)
    with store.uow() as uow:
        shop = _customer(uow, "Shop")
        for total, placed, status in (
            ("1000.50", bkk(2025, 5, 12, 9), OrderStatus.DELIVERED),  # this week
            ("2000", bkk(2025, 5, 14, 9), OrderStatus.PAID),
            ("9999", bkk(2025, 5, 13, 9), OrderStatus.CANCELLED),  # not kept
            ("500", bkk(2025, 5, 13, 9), OrderStatus.RETURNED),
            ("2000", bkk(2025, 5, 6, 9), OrderStatus.DELIVERED),  # last week by Wednesday 10:00
            ("7000", bkk(2025, 5, 8, 9), OrderStatus.DELIVERED),  # later last week
        ):
            _order(uow, shop, total, placed, status)
        uow.commit()
        report = reports.sales_report(uow, "this_week", NOW)
        rep = reports.sales_report(uow, "this_week", NOW, owner_id=team.anan)
    assert (report.orders_count, report.orders_amount) == (2, D("3000.50"))
    assert report.orders_amount_change_pct == D("50.0")  # against the 2,000 to this point
    assert report.summary()[-3:] == [
        ("orders_count", 2),
        ("orders_amount", D("3000.50")),
        ("orders_amount_change_pct", D("50.0")),
    ]
    # orders have no rep: one rep's report leaves them out
    assert rep.orders_count is None and "orders_count" not in dict(rep.summary())


def test_sales_last_week_and_a_period_with_nothing_before_it(store: Store) -> None:
    _deals(store)
    with store.uow() as uow:
        report = reports.sales_report(uow, "last_week", NOW)
    assert report.rows() == [("Anan", 1, D("30000.00")), ("Busaba", 1, D("12000.00"))]
    assert (report.won_count, report.won_amount) == (2, D("42000.00"))
    assert (report.previous_count, report.previous_amount) == (0, D("0"))
    assert report.amount_change_pct is None
    assert report.count_change_pct is None
    # nothing lost last week: every settled deal was won
    assert (report.lost_count, report.win_rate) == (0, D("100.0"))
    assert report.average_amount == D("21000.00")


def test_sales_for_one_rep(store: Store) -> None:
    team = _deals(store)
    with store.uow() as uow:
        report = reports.sales_report(uow, "this_week", NOW, owner_id=team.busaba)
    assert report.owner_id == team.busaba
    assert report.rows() == [("Busaba", 1, D("15000.00"))]
    assert (report.won_count, report.won_amount) == (1, D("15000.00"))
    assert report.previous_count == 0
    assert report.amount_change_pct is None


# --- pipeline ------------------------------------------------------------------------


def test_pipeline_by_stage_with_weights(store: Store) -> None:
    _deals(store)
    with store.uow() as uow:
        report = reports.pipeline_report(uow, "this_month", NOW)
    assert report.rows() == [
        ("lead", 1, D("10000.00"), D("1000.00")),
        ("qualified", 1, D("20000.00"), D("5000.00")),
        ("proposal", 1, D("40000.10"), D("20000.05")),
        ("negotiation", 2, D("13000.00"), D("9750.00")),
    ]
    assert (report.total_count, report.total_amount, report.total_weighted) == (
        5,
        D("83000.10"),
        D("35750.05"),
    )
    assert all(isinstance(s.amount, Decimal) for s in report.stages)
    # the same deals by rep, most weighted first
    assert [(r.name, r.count, r.amount, r.weighted) for r in report.by_rep] == [
        ("Busaba", 2, D("45000.10"), D("23750.05")),
        ("Anan", 3, D("38000.00"), D("12000.00")),
    ]


def test_pipeline_for_one_rep_keeps_empty_stages(store: Store) -> None:
    team = _deals(store)
    with store.uow() as uow:
        report = reports.pipeline_report(uow, "today", NOW, owner_id=team.anan)
    assert report.rows() == [
        ("lead", 1, D("10000.00"), D("1000.00")),
        ("qualified", 1, D("20000.00"), D("5000.00")),
        ("proposal", 0, D("0"), D("0")),
        ("negotiation", 1, D("8000.00"), D("6000.00")),
    ]
    assert (report.total_count, report.total_amount, report.total_weighted) == (
        3,
        D("38000.00"),
        D("12000.00"),
    )
    assert [(r.staff_id, r.count, r.amount) for r in report.by_rep] == [
        (team.anan, 3, D("38000.00"))
    ]


# --- tickets -------------------------------------------------------------------------


def _ticket(
    uow: UnitOfWork,
    number: int,
    priority: Priority,
    status: TicketStatus,
    created: datetime,
    due: datetime,
    resolved: datetime | None = None,
) -> None:
    uow.session.add(
        Ticket(
            number=f"TCK-{number}",
            subject="help",
            priority=priority,
            status=status,
            channel="line",
            created_at=created,
            sla_due_at=due,
            resolved_at=resolved,
        )
    )


def _tickets(store: Store) -> None:
    urgent, high, normal, low = Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW
    done, closed = TicketStatus.RESOLVED, TicketStatus.CLOSED
    with store.uow() as uow:
        # in time, 3 h
        _ticket(uow, 1, urgent, done, utc(2025, 5, 12, 2), utc(2025, 5, 12, 6), utc(2025, 5, 12, 5))
        # late, 24 h
        _ticket(uow, 2, high, done, utc(2025, 5, 12, 3), utc(2025, 5, 12, 11), utc(2025, 5, 13, 3))
        # open past its deadline, which fell this week
        _ticket(uow, 3, normal, TicketStatus.OPEN, utc(2025, 5, 13), utc(2025, 5, 14))
        # pending, deadline still ahead
        _ticket(uow, 4, normal, TicketStatus.PENDING, utc(2025, 5, 13, 12), utc(2025, 5, 14, 12))
        # opened last week, missed last week's deadline, resolved this week after 168 h
        _ticket(uow, 5, low, closed, utc(2025, 5, 5, 1), utc(2025, 5, 8, 1), utc(2025, 5, 12, 1))
        # open and overdue since 2 May
        _ticket(uow, 6, normal, TicketStatus.OPEN, utc(2025, 5, 1), utc(2025, 5, 2))
        # Monday 01:00 in Bangkok, closed after 2 h
        _ticket(
            uow, 7, urgent, closed, utc(2025, 5, 11, 18), utc(2025, 5, 11, 22), utc(2025, 5, 11, 20)
        )
        # Sunday 23:59 in Bangkok: opened last week
        _ticket(uow, 8, low, TicketStatus.OPEN, utc(2025, 5, 11, 16, 59), utc(2025, 5, 14, 16, 59))
        uow.commit()


def test_tickets_this_week(store: Store) -> None:
    _tickets(store)
    with store.uow() as uow:
        report = reports.tickets_report(uow, "this_week", NOW)
    assert (report.opened, report.resolved, report.backlog) == (5, 4, 4)
    assert (report.sla_breaches, report.overdue) == (2, 2)
    assert report.median_resolution_hours == D("13.50")
    assert report.rows() == [
        ("urgent", 2, 2, 0, 0, 0, D("2.50")),
        ("high", 1, 1, 0, 1, 0, D("24.00")),
        ("normal", 2, 0, 3, 1, 2, None),
        ("low", 0, 1, 1, 0, 0, D("168.00")),
    ]


def test_tickets_last_week_owns_last_weeks_breach(store: Store) -> None:
    _tickets(store)
    with store.uow() as uow:
        report = reports.tickets_report(uow, "last_week", NOW)
    assert (report.opened, report.resolved, report.sla_breaches) == (2, 0, 1)
    assert report.median_resolution_hours is None
    assert report.backlog == 4


def test_tickets_of_one_agent(store: Store) -> None:
    _tickets(store)
    with store.uow() as uow:
        agent = Staff(slack_user_id="UMALAI", name="Malai", role=Role.SUPPORT)
        uow.session.add(agent)
        uow.session.flush()
        # TCK-1 resolved in 3 h, TCK-3 open past this week's deadline, TCK-6 overdue since May 2
        for number in ("TCK-1", "TCK-3", "TCK-6"):
            ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
            ticket.assignee_id = agent.id
        uow.commit()
        agent_id = agent.id
    with store.uow() as uow:
        report = reports.tickets_report(uow, "this_week", NOW, owner_id=agent_id)
    assert (report.opened, report.resolved, report.backlog) == (2, 1, 2)
    assert (report.sla_breaches, report.overdue) == (1, 2)
    assert report.median_resolution_hours == D("3.00")
    assert report.rows() == [
        ("urgent", 1, 1, 0, 0, 0, D("3.00")),
        ("high", 0, 0, 0, 0, 0, None),
        ("normal", 1, 0, 2, 1, 2, None),
        ("low", 0, 0, 0, 0, 0, None),
    ]


# --- loyalty -------------------------------------------------------------------------


def _points(
    uow: UnitOfWork, customer: Customer, delta: int, kind: LedgerKind, at: datetime
) -> None:
    uow.session.add(
        PointsEntry(customer_id=customer.id, delta=delta, kind=kind, actor="test", created_at=at)
    )


def _loyalty(store: Store) -> None:
    with store.uow() as uow:
        gold = _customer(uow, "Gold", member_id="M-1", tier=Tier.GOLD)
        silver = _customer(uow, "Silver", member_id="M-2", tier=Tier.SILVER)
        ledger_only = _customer(uow, "No card", tier=Tier.BRONZE)
        _customer(uow, "Not a member", tier=Tier.PLATINUM)
        _customer(uow, "Card, no points", member_id="M-5", tier=Tier.PLATINUM)
        _points(uow, gold, 1000, LedgerKind.OPENING, utc(2025, 4, 20))
        _points(uow, gold, 200, LedgerKind.EARN, utc(2025, 5, 3))
        _points(uow, gold, -300, LedgerKind.REDEEM, utc(2025, 5, 10))
        _points(uow, silver, 500, LedgerKind.EARN, utc(2025, 4, 20))
        # 30 April 23:30 in Bangkok: last month
        _points(uow, silver, -100, LedgerKind.REDEEM, utc(2025, 4, 30, 16, 30))
        # 1 May 00:30 in Bangkok (still April in UTC): this month
        _points(uow, silver, 50, LedgerKind.ADJUST, utc(2025, 4, 30, 17, 30))
        _points(uow, ledger_only, 80, LedgerKind.EARN, utc(2025, 5, 12))
        _points(uow, ledger_only, -30, LedgerKind.ADJUST, utc(2025, 5, 13))
        _points(uow, ledger_only, -10, LedgerKind.EXPIRE, utc(2025, 5, 14, 1))
        uow.commit()


def test_loyalty_this_month(store: Store) -> None:
    _loyalty(store)
    with store.uow() as uow:
        report = reports.loyalty_report(uow, "this_month", NOW)
        cheaper = reports.loyalty_report(uow, "this_month", NOW, point_value=D("0.1"))
    assert (report.issued, report.redeemed, report.expired) == (330, 300, 10)
    assert report.outstanding_points == 1390
    assert report.point_value == D("0.25")
    assert report.outstanding_thb == D("347.50")
    assert str(report.outstanding_thb) == "347.50"
    assert cheaper.outstanding_thb == D("139.00")
    assert report.rows() == [("bronze", 1), ("silver", 1), ("gold", 1), ("platinum", 1)]


def test_loyalty_last_month(store: Store) -> None:
    _loyalty(store)
    with store.uow() as uow:
        report = reports.loyalty_report(uow, "last_month", NOW)
    assert (report.issued, report.redeemed, report.expired) == (1500, 100, 0)
    assert report.outstanding_points == 1390


# --- interactions --------------------------------------------------------------------


def _interactions(store: Store) -> Team:
    with store.uow() as uow:
        team = _team(uow)
        customer = _customer(uow, "Siam Paper")

        def log(staff_id: int | None, kind: InteractionType, at: datetime) -> None:
            uow.session.add(
                Interaction(
                    customer_id=customer.id,
                    staff_id=staff_id,
                    type=kind,
                    channel="slack",
                    occurred_at=at,
                )
            )

        log(team.anan, InteractionType.CALL, utc(2025, 5, 12, 2))
        log(team.anan, InteractionType.VISIT, utc(2025, 5, 13, 2))
        log(team.busaba, InteractionType.CALL, utc(2025, 5, 13, 5))
        log(None, InteractionType.CHAT, utc(2025, 5, 14, 1))
        log(team.anan, InteractionType.CALL, utc(2025, 5, 11, 16, 59))  # Sunday 23:59 local
        log(team.busaba, InteractionType.EMAIL, utc(2025, 5, 11, 17))  # Monday 00:00 local
        uow.commit()
    return team


def test_interactions_this_week_by_type_and_rep(store: Store) -> None:
    team = _interactions(store)
    with store.uow() as uow:
        report = reports.interactions_report(uow, "this_week", NOW)
    assert report.total == 5
    assert report.by_type == (
        ("call", 2),
        ("meeting", 0),
        ("email", 1),
        ("visit", 1),
        ("chat", 1),
        ("note", 0),
    )
    assert report.by_rep == ((team.anan, "Anan", 2), (team.busaba, "Busaba", 2), (None, None, 1))
    assert report.rows()[-3:] == [("rep", "Anan", 2), ("rep", "Busaba", 2), ("rep", None, 1)]
    assert report.rows()[0] == ("type", "call", 2)


def test_interactions_for_one_rep(store: Store) -> None:
    team = _interactions(store)
    with store.uow() as uow:
        report = reports.interactions_report(uow, "this_week", NOW, owner_id=team.anan)
    assert report.total == 2
    assert dict(report.by_type) == {
        "call": 1,
        "meeting": 0,
        "email": 0,
        "visit": 1,
        "chat": 0,
        "note": 0,
    }
    assert report.by_rep == ((team.anan, "Anan", 2),)


# --- customers -----------------------------------------------------------------------


def test_customers_new_in_period_and_reach(store: Store) -> None:
    lead, customer = Lifecycle.LEAD, Lifecycle.CUSTOMER
    with store.uow() as uow:
        # 1 May 00:00 in Bangkok: new this month
        _customer(
            uow,
            "K1",
            lifecycle=customer,
            created_at=utc(2025, 4, 30, 17),
            marketing_consent=True,
            line_user_id="U1",
        )
        _customer(
            uow,
            "K2",
            lifecycle=lead,
            created_at=utc(2025, 5, 10),
            line_user_id="U2",
            line_followed=False,
        )
        # 30 April 23:59 in Bangkok: last month
        _customer(
            uow,
            "K3",
            lifecycle=customer,
            created_at=utc(2025, 4, 30, 16, 59),
            marketing_consent=True,
        )
        _customer(
            uow,
            "K4",
            lifecycle=lead,
            created_at=utc(2025, 5, 14, 2),
            marketing_consent=True,
            line_user_id="U4",
        )
        _customer(uow, "K5", lifecycle=customer, created_at=utc(2025, 5, 13), line_user_id="U5")
        uow.commit()
    with store.uow() as uow:
        report = reports.customers_report(uow, "this_month", NOW)
        before = reports.customers_report(uow, "last_month", NOW)
    assert report.rows() == [
        ("new_total", 4),
        ("new_leads", 2),
        ("new_customers", 2),
        ("total", 5),
        ("leads", 2),
        ("customers", 3),
        ("consented", 3),
        ("reachable_on_line", 3),
        ("marketable", 2),
    ]
    assert (before.new_total, before.new_leads, before.new_customers) == (1, 0, 1)


# --- RFM segments --------------------------------------------------------------------

# name -> (days since last kept order, kept orders in 365 days, their total)
RFM_EXAMPLE = {
    "A1": (2, 12, "120000"),
    "A2": (5, 9, "80000"),
    "B": (1, 1, "2000"),
    "L": (40, 7, "50000"),
    "P": (8, 2, "900"),
    "P2": (35, 1, "700"),
    "C": (300, 10, "100000"),
    "D": (200, 4, "30000"),
    "H": (150, 2, "1000"),
    "E": (500, 0, "0"),
}
# Quintile bounds over ten customers are the 2nd, 4th, 6th and 8th smallest values:
# recency 2, 8, 40, 200 days; frequency 1, 2, 4, 9; monetary 700, 1000, 30000, 80000.
RFM_EXPECTED = {
    "A1": (5, 5, 5, "champions"),
    "A2": (4, 4, 4, "champions"),
    "B": (5, 1, 3, "new_customers"),
    "L": (3, 4, 4, "loyal"),
    "P": (4, 2, 2, "potential_loyalists"),
    "P2": (3, 1, 1, "potential_loyalists"),
    "C": (1, 5, 5, "cant_lose_them"),
    "D": (2, 3, 3, "at_risk"),
    "H": (2, 2, 2, "hibernating"),
    "E": (1, 1, 1, "lost"),
}


def _order(
    uow: UnitOfWork, customer: Customer, total: str, placed_at: datetime, status: OrderStatus
) -> None:
    uow.session.add(
        Order(
            number=f"ORD-{next(ORDER_NUMBERS)}",
            customer_id=customer.id,
            status=status,
            total=D(total),
            placed_at=placed_at,
        )
    )


def _rfm(store: Store) -> dict[str, int]:
    by_name: dict[str, Customer] = {}
    delivered = OrderStatus.DELIVERED
    with store.uow() as uow:
        for name, (days, orders, money) in RFM_EXAMPLE.items():
            customer = by_name[name] = _customer(uow, name)
            last = NOW - timedelta(days=days, hours=1)
            for i in range(orders):
                total = D(money) - 100 * (orders - 1) if i == 0 else D(100)
                _order(uow, customer, str(total), last - timedelta(days=i), delivered)
        ids = {name: c.id for name, c in by_name.items()}
        # E's only kept order is older than the 365-day window.
        _order(uow, by_name["E"], "5000", NOW - timedelta(days=500, hours=1), delivered)
        # C also bought before the window; it does not add to frequency or spend.
        _order(uow, by_name["C"], "7777", NOW - timedelta(days=400), delivered)
        # Orders that were not kept never count.
        _order(uow, by_name["E"], "999999", NOW - timedelta(days=10), OrderStatus.CANCELLED)
        _order(uow, by_name["H"], "50000", NOW - timedelta(days=5), OrderStatus.RETURNED)
        ids["no orders"] = _customer(uow, "no orders").id
        only_cancelled = _customer(uow, "only cancelled")
        ids["only cancelled"] = only_cancelled.id
        _order(uow, only_cancelled, "100", NOW - timedelta(days=3), OrderStatus.CANCELLED)
        uow.commit()
    return ids


def test_rfm_scores_and_segments_of_a_constructed_example(store: Store) -> None:
    ids = _rfm(store)
    with store.uow() as uow:
        scores = {s.customer_id: s for s in reports.rfm_scores(uow, NOW)}
        a1 = reports.customer_segment(uow, ids["A1"], NOW)
        assert reports.customer_segment(uow, ids["no orders"], NOW) is None
        assert reports.customer_segment(uow, ids["only cancelled"], NOW) is None
    assert len(scores) == 10
    for name, (r, f, m, segment) in RFM_EXPECTED.items():
        got = scores[ids[name]]
        assert (got.r_score, got.f_score, got.m_score, got.segment) == (r, f, m, segment), name
    assert a1 is not None
    assert (a1.recency_days, a1.frequency, a1.monetary) == (2, 12, D("120000.00"))
    assert isinstance(a1.monetary, Decimal)
    e = scores[ids["E"]]
    assert (e.recency_days, e.frequency, e.monetary) == (500, 0, D("0"))


def test_recency_is_whole_days_since_the_last_kept_order(store: Store) -> None:
    with store.uow() as uow:
        exact = _customer(uow, "exactly three days")
        short = _customer(uow, "a second short of three days")
        _order(uow, exact, "100", NOW - timedelta(days=3), OrderStatus.DELIVERED)
        _order(uow, short, "100", NOW - timedelta(days=3, seconds=-1), OrderStatus.PAID)
        ids = (exact.id, short.id)
        uow.commit()
    with store.uow() as uow:
        days = {s.customer_id: s.recency_days for s in reports.rfm_scores(uow, NOW)}
    assert days == {ids[0]: 3, ids[1]: 2}


def test_segments_report_and_campaign_audiences(store: Store) -> None:
    ids = _rfm(store)
    with store.uow() as uow:
        report = reports.segments_report(uow, "this_month", NOW)
        potential = reports.customers_in_segment(uow, "potential_loyalists", NOW)
        champions = reports.customers_in_segment(uow, "champions", NOW)
        with pytest.raises(InvalidValue):
            reports.customers_in_segment(uow, "platinum", NOW)
    assert report.scored_customers == 10
    assert report.rows() == [
        ("champions", 2, D("200000.00")),
        ("loyal", 1, D("50000.00")),
        ("potential_loyalists", 2, D("1600.00")),
        ("new_customers", 1, D("2000.00")),
        ("at_risk", 1, D("30000.00")),
        ("cant_lose_them", 1, D("100000.00")),
        ("hibernating", 1, D("1000.00")),
        ("lost", 1, D("0")),
    ]
    assert potential == sorted([ids["P"], ids["P2"]])
    assert champions == sorted([ids["A1"], ids["A2"]])


# --- top customers -------------------------------------------------------------------


def _buyers(store: Store) -> Team:
    """Three customers' kept and unkept orders and won deals this week and before."""
    april = utc(2025, 4, 1)
    this_week = utc(2025, 5, 12, 5)
    won = Stage.WON
    with store.uow() as uow:
        team = _team(uow)
        acme = _customer(uow, "Acme")
        siam = _customer(uow, "Siam Paper")
        malee = _customer(uow, "Malee")
        _customer(uow, "Nobody")
        _deal(uow, acme, team.anan, [(Stage.LEAD, "50000", april), (won, "50000", this_week)])
        _deal(uow, siam, team.busaba, [(Stage.LEAD, "70000", april), (won, "70000", this_week)])
        # won last month: not this week's
        _deal(uow, malee, team.anan, [(Stage.LEAD, "900000", april), (won, "900000", april)])
        _order(uow, acme, "30000.25", this_week, OrderStatus.DELIVERED)
        _order(uow, malee, "1500", this_week, OrderStatus.PAID)
        _order(uow, malee, "800000", this_week, OrderStatus.CANCELLED)
        _order(uow, siam, "250", april, OrderStatus.DELIVERED)
        uow.commit()
    return team


def test_top_customers_add_kept_orders_and_deals_won_in_the_period(store: Store) -> None:
    _buyers(store)
    with store.uow() as uow:
        report = reports.top_customers_report(uow, "this_week", NOW)
        assert report.rows() == [
            ("Acme", 1, 1, D("80000.25")),
            ("Siam Paper", 0, 1, D("70000.00")),
            ("Malee", 1, 0, D("1500.00")),
        ]
        assert report.summary() == [("customers", 3), ("total_amount", D("151500.25"))]
        # the top two, but every customer in the totals
        two = reports.top_customers_report(uow, "this_week", NOW, top=2)
        assert [row[0] for row in two.rows()] == ["Acme", "Siam Paper"]
        assert two.summary() == report.summary()
        # this year: last month's big deal comes first
        year = reports.top_customers_report(uow, "this_year", NOW)
        assert year.rows()[0] == ("Malee", 1, 1, D("901500.00"))


def test_a_reps_top_customers_count_only_the_deals_they_won(store: Store) -> None:
    team = _buyers(store)
    with store.uow() as uow:
        report = reports.top_customers_report(uow, "this_year", NOW, owner_id=team.anan)
    assert report.rows() == [("Malee", 0, 1, D("900000.00")), ("Acme", 0, 1, D("50000.00"))]


def test_top_customers_of_an_empty_period(store: Store) -> None:
    _buyers(store)
    with store.uow() as uow:
        report = reports.top_customers_report(uow, "yesterday", NOW)
    assert (report.rows(), report.summary()) == ([], [("customers", 0), ("total_amount", D("0"))])


# --- the registry --------------------------------------------------------------------


def test_every_report_kind_runs_on_an_empty_store(store: Store) -> None:
    assert set(reports.REPORTS) == {
        "sales",
        "pipeline",
        "tickets",
        "loyalty",
        "interactions",
        "customers",
        "segments",
    }
    with store.uow() as uow:
        results = {kind: fn(uow, "this_month", NOW) for kind, fn in reports.REPORTS.items()}
    assert {kind: r.kind for kind, r in results.items()} == {k: k for k in results}
    assert results["sales"].rows() == []
    assert results["pipeline"].rows()[0] == ("lead", 0, D("0"), D("0"))
    assert results["tickets"].rows()[0] == ("urgent", 0, 0, 0, 0, 0, None)
    assert results["loyalty"].rows() == [("bronze", 0), ("silver", 0), ("gold", 0), ("platinum", 0)]
    assert results["segments"].rows()[0] == ("champions", 0, D("0"))
    for result in results.values():
        assert all(len(row) == len(result.columns) for row in result.rows())
        assert all(isinstance(key, str) for key, _ in result.summary())
