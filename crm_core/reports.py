"""Manager and sales reports: aggregate SQL over the store, returned as plain frozen results."""

from __future__ import annotations

import re
from bisect import bisect_left
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

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
    Staff,
    Stage,
    Ticket,
    TicketStatus,
    Tier,
)
from crm_core.types import CENT, to_money
from crm_core.uow import UnitOfWork

DEFAULT_TZ = "Asia/Bangkok"
PERIODS = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
)
# period -> (calendar unit, offset from the unit containing `now`)
_PERIOD_UNITS: dict[str, tuple[str, int]] = {
    "today": ("day", 0),
    "yesterday": ("day", -1),
    "this_week": ("week", 0),
    "last_week": ("week", -1),
    "this_month": ("month", 0),
    "last_month": ("month", -1),
    "this_quarter": ("quarter", 0),
    "last_quarter": ("quarter", -1),
    "this_year": ("year", 0),
    "last_year": ("year", -1),
    # periods ahead: only for deals expected to close then ("ดีลที่จะปิดเดือนหน้า")
    "next_week": ("week", 1),
    "next_month": ("month", 1),
    "next_quarter": ("quarter", 1),
    "next_year": ("year", 1),
}
# periods ahead: no report covers them; deals expected to close then are listed instead
AHEAD_PERIODS = tuple(p for p, (_, offset) in _PERIOD_UNITS.items() if offset > 0)
# look-backs up to today, a rolling period: past_<n>_days, past_<n>_months ("last 30 days",
# "ย้อนหลัง 3 เดือน"), two years at most
_LOOKBACK = re.compile(r"past_(\d{1,3})_(days|months)")
LOOKBACK_LIMITS = {"days": 731, "months": 24}
OPEN_STAGES = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
STAGE_WEIGHTS: dict[Stage, Decimal] = {
    Stage.LEAD: Decimal("0.1"),
    Stage.QUALIFIED: Decimal("0.25"),
    Stage.PROPOSAL: Decimal("0.5"),
    Stage.NEGOTIATION: Decimal("0.75"),
}
BACKLOG_STATES = (TicketStatus.OPEN, TicketStatus.PENDING)
DEFAULT_POINT_VALUE = Decimal("0.25")
RFM_WINDOW = timedelta(days=365)
# Orders that were not kept do not count as purchases for RFM.
RFM_EXCLUDED_STATUSES = (OrderStatus.CANCELLED, OrderStatus.RETURNED)
SEGMENTS = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new_customers",
    "at_risk",
    "cant_lose_them",
    "hibernating",
    "lost",
)
ZERO = Decimal("0.00")
PERCENT = Decimal("0.1")

Cell = str | int | Decimal | None
Rows = list[tuple[Cell, ...]]
Summary = list[tuple[str, Cell]]


class Report(Protocol):
    """What every report result offers a renderer: kind, headline figures, columns, rows."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]

    def summary(self) -> Summary: ...

    def rows(self) -> Rows: ...


class ReportFunction(Protocol):
    """The common signature of the report functions in REPORTS."""

    def __call__(
        self,
        uow: UnitOfWork,
        period: str,
        now: datetime,
        *,
        tz: str = DEFAULT_TZ,
        owner_id: int | None = None,
    ) -> Report: ...


# --- periods ---------------------------------------------------------------------------


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidValue(f"unknown time zone {tz!r}") from exc


def _local_now(now: datetime, zone: ZoneInfo) -> datetime:
    if now.tzinfo is None:
        raise InvalidValue("now must be timezone-aware")
    return now.astimezone(zone)


def _unit(period: str) -> tuple[str, int]:
    try:
        return _PERIOD_UNITS[period]
    except KeyError:
        raise InvalidValue(f"unknown period {period!r}") from None


def lookback(period: str) -> tuple[int, str] | None:
    """A look-back up to today, "past_30_days" -> (30, "days"); None for a calendar period."""
    m = _LOOKBACK.fullmatch(period)
    if m is None:
        return None
    count, unit = int(m.group(1)), m.group(2)
    if not 0 < count <= LOOKBACK_LIMITS[unit]:
        raise InvalidValue(f"a look-back of {count} {unit} is out of range")
    return count, unit


def _shift_month(year: int, month: int, by: int) -> date:
    index = year * 12 + (month - 1) + by
    return date(index // 12, index % 12 + 1, 1)


def _months_before(day: date, months: int) -> date:
    """The same day `months` months earlier, or that month's last day where it has fewer."""
    first = _shift_month(day.year, day.month, -months)
    return first.replace(day=min(day.day, monthrange(first.year, first.month)[1]))


def _calendar_bounds(unit: str, offset: int, today: date) -> tuple[date, date]:
    """First day of the unit `offset` units from the one holding `today`, and the next one's."""
    if unit == "day":
        first = today + timedelta(days=offset)
        return first, first + timedelta(days=1)
    if unit == "week":
        first = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return first, first + timedelta(weeks=1)
    if unit == "month":
        first = _shift_month(today.year, today.month, offset)
        return first, _shift_month(first.year, first.month, 1)
    if unit == "quarter":
        quarter_month = 3 * ((today.month - 1) // 3) + 1
        first = _shift_month(today.year, quarter_month, 3 * offset)
        return first, _shift_month(first.year, first.month, 3)
    first = date(today.year + offset, 1, 1)
    return first, date(first.year + 1, 1, 1)


def _back(day: date, count: int, unit: str) -> date:
    """The day `count` days or months before `day`."""
    return day - timedelta(days=count) if unit == "days" else _months_before(day, count)


def _bounds(period: str, today: date) -> tuple[date, date]:
    """Local [first day, day after the last) of a period: a calendar unit, or a look-back
    of whole days up to and including today ("past_7_days": today and the six before)."""
    rolling = lookback(period)
    if rolling is None:
        return _calendar_bounds(*_unit(period), today)
    return _back(today, *rolling) + timedelta(days=1), today + timedelta(days=1)


def _utc(day: date | datetime, zone: ZoneInfo) -> datetime:
    wall = day if isinstance(day, datetime) else datetime.combine(day, time())
    return wall.replace(tzinfo=zone).astimezone(UTC)


def period_range(period: str, now: datetime, tz: str = DEFAULT_TZ) -> tuple[datetime, datetime]:
    """UTC [start, end) of a period, on calendar boundaries in `tz` (weeks start Monday);
    a look-back ends with today."""
    zone = _zone(tz)
    first, after = _bounds(period, _local_now(now, zone).date())
    return _utc(first, zone), _utc(after, zone)


def period_days(period: str, now: datetime, tz: str = DEFAULT_TZ) -> tuple[date, date]:
    """Local [first day, day after the last) of a period, for date columns (a close date)."""
    return _bounds(period, _local_now(now, _zone(tz)).date())


def previous_range(period: str, now: datetime, tz: str = DEFAULT_TZ) -> tuple[datetime, datetime]:
    """UTC [start, end) of the comparable period just before `period`.

    A finished period (yesterday, last_week, ...) compares with the whole calendar unit
    before it. A running period (today, this_week, a look-back ...) compares like for like:
    the unit before it up to the same elapsed local time (this_week on Wednesday 10:00
    compares with last week's Monday 00:00 to Wednesday 10:00; past_3_months with the three
    months before it, up to three months ago at this time), never past that unit's end.
    """
    zone = _zone(tz)
    local = _local_now(now, zone)
    rolling = lookback(period)
    if rolling is None:
        unit, offset = _unit(period)
        first, _ = _calendar_bounds(unit, offset, local.date())
        prev_first, prev_after = _calendar_bounds(unit, offset - 1, local.date())
        if offset != 0:
            return _utc(prev_first, zone), _utc(prev_after, zone)
    else:
        # the same look-back ending as long ago as the look-back goes back
        first, _ = _bounds(period, local.date())
        wall = datetime.combine(_back(local.date(), *rolling), local.time())
        return _utc(_back(first, *rolling), zone), _utc(wall, zone)
    elapsed = local.replace(tzinfo=None) - datetime.combine(first, time())
    prev_end = min(
        datetime.combine(prev_first, time()) + elapsed, datetime.combine(prev_after, time())
    )
    return _utc(prev_first, zone), _utc(prev_end, zone)


# --- small helpers -------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    # Sums of Money columns come back through the Money type: already exact Decimals.
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else to_money(value)


def _int(value: Any) -> int:
    return 0 if value is None else int(value)


def _change_pct(current: Decimal | int, previous: Decimal | int) -> Decimal | None:
    """Percent change to one decimal; None when there is nothing to compare with."""
    if previous == 0:
        return None
    ratio = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return ratio.quantize(PERCENT, rounding=ROUND_HALF_UP)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _median_hours(durations: Sequence[timedelta]) -> Decimal | None:
    """Median of durations in hours, to 0.01 h; None for no durations."""
    if not durations:
        return None
    seconds = sorted(Decimal(round(d.total_seconds())) for d in durations)
    mid = len(seconds) // 2
    middle = seconds[mid] if len(seconds) % 2 else (seconds[mid - 1] + seconds[mid]) / 2
    return (middle / 3600).quantize(CENT, rounding=ROUND_HALF_UP)


# --- sales ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RepSales:
    """Deals one rep won in a period (staff_id None: deals without an owner)."""

    staff_id: int | None
    name: str | None
    count: int
    amount: Decimal


@dataclass(frozen=True)
class SalesReport:
    """Won deals in a period, by rep, against the comparable previous period."""

    kind: ClassVar[str] = "sales"
    columns: ClassVar[tuple[str, ...]] = ("rep", "count", "amount")

    period: str
    start: datetime
    end: datetime
    owner_id: int | None
    won_count: int
    won_amount: Decimal
    previous_start: datetime
    previous_end: datetime
    previous_count: int
    previous_amount: Decimal
    count_change_pct: Decimal | None
    amount_change_pct: Decimal | None
    by_rep: tuple[RepSales, ...]
    # deals lost in the period, and the share of the period's settled deals that were won
    lost_count: int = 0
    win_rate: Decimal | None = None
    # the kept orders (neither cancelled nor returned) placed in the period, and their amount
    # against the period before; None in one rep's report (orders have no rep)
    orders_count: int | None = None
    orders_amount: Decimal | None = None
    orders_amount_change_pct: Decimal | None = None

    @property
    def average_amount(self) -> Decimal | None:
        """The average deal won in the period (None when none was)."""
        if not self.won_count:
            return None
        return (self.won_amount / self.won_count).quantize(Decimal("0.01"))

    def summary(self) -> Summary:
        """Totals for the period and the comparison with the one before."""
        figures: Summary = [
            ("won_count", self.won_count),
            ("won_amount", self.won_amount),
            ("average_amount", self.average_amount),
            ("lost_count", self.lost_count),
            ("win_rate", self.win_rate),
            ("previous_count", self.previous_count),
            ("previous_amount", self.previous_amount),
            ("count_change_pct", self.count_change_pct),
            ("amount_change_pct", self.amount_change_pct),
        ]
        if self.orders_count is not None:
            figures += [
                ("orders_count", self.orders_count),
                ("orders_amount", self.orders_amount),
                ("orders_amount_change_pct", self.orders_amount_change_pct),
            ]
        return figures

    def rows(self) -> Rows:
        """One row per rep, biggest amount first."""
        return [(r.name, r.count, r.amount) for r in self.by_rep]


def _settled_in(start: datetime, end: datetime, stage: Stage) -> Any:
    """The stage changes of the deals that moved to `stage` in [start, end), newest first per
    deal before `end` (`newest_first` 1): a deal counts when its newest is to `stage`."""
    moved_in_window = select(DealStageChange.deal_id).where(
        DealStageChange.to_stage == stage,
        _within(DealStageChange.changed_at, start, end),
    )
    return (
        select(
            DealStageChange.deal_id,
            DealStageChange.to_stage,
            DealStageChange.amount,
            func.row_number()
            .over(
                partition_by=DealStageChange.deal_id,
                order_by=(DealStageChange.changed_at.desc(), DealStageChange.id.desc()),
            )
            .label("newest_first"),
        )
        .where(DealStageChange.deal_id.in_(moved_in_window), DealStageChange.changed_at < end)
        .subquery()
    )


def _won_by_owner(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    owner_id: int | None,
    stage: Stage = Stage.WON,
) -> list[RepSales]:
    """Deals whose last stage change before `end` is a move to won (or to `stage`, lost)
    made in [start, end).

    A win that was undone or reopened inside the window does not count, and a deal won
    twice counts once, at the amount of its latest win.
    """
    latest = _settled_in(start, end, stage)
    query = (
        select(Deal.owner_id, Staff.name, func.count(), func.sum(latest.c.amount))
        .select_from(latest)
        .join(Deal, Deal.id == latest.c.deal_id)
        .outerjoin(Staff, Staff.id == Deal.owner_id)
        .where(latest.c.newest_first == 1, latest.c.to_stage == stage)
        .group_by(Deal.owner_id, Staff.name)
    )
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    reps = [
        RepSales(staff_id, name, _int(count), _money(amount))
        for staff_id, name, count, amount in uow.session.execute(query)
    ]
    return sorted(reps, key=lambda r: (-r.amount, -r.count, r.name or ""))


def sales_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
) -> SalesReport:
    """Won amount and count in the period by rep (from stage history), vs the period before;
    for the whole team, the kept orders as well."""
    start, end = period_range(period, now, tz)
    prev_start, prev_end = previous_range(period, now, tz)
    reps = _won_by_owner(uow, start, end, owner_id)
    previous = _won_by_owner(uow, prev_start, prev_end, owner_id)
    count = sum(r.count for r in reps)
    amount = sum((r.amount for r in reps), ZERO)
    prev_count = sum(r.count for r in previous)
    prev_amount = sum((r.amount for r in previous), ZERO)
    lost = sum(r.count for r in _won_by_owner(uow, start, end, owner_id, Stage.LOST))
    settled = count + lost
    win_rate = (Decimal(100 * count) / settled).quantize(Decimal("0.1")) if settled else None
    orders: dict[str, Any] = {}
    if owner_id is None:
        orders_count, orders_amount = _kept_orders(uow, start, end)
        orders = {
            "orders_count": orders_count,
            "orders_amount": orders_amount,
            "orders_amount_change_pct": _change_pct(
                orders_amount, _kept_orders(uow, prev_start, prev_end)[1]
            ),
        }
    return SalesReport(
        period=period,
        start=start,
        end=end,
        owner_id=owner_id,
        won_count=count,
        won_amount=amount,
        previous_start=prev_start,
        previous_end=prev_end,
        previous_count=prev_count,
        previous_amount=prev_amount,
        count_change_pct=_change_pct(count, prev_count),
        amount_change_pct=_change_pct(amount, prev_amount),
        by_rep=tuple(reps),
        lost_count=lost,
        win_rate=win_rate,
        **orders,
    )


# --- pipeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class StagePipeline:
    """Open deals at one stage: how many, their amount and probability-weighted amount."""

    stage: str
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class RepPipeline:
    """One rep's open deals (staff_id None: deals without an owner)."""

    staff_id: int | None
    name: str | None
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class PipelineReport:
    """Snapshot of the open pipeline by stage, as the store is now, and by rep."""

    kind: ClassVar[str] = "pipeline"
    columns: ClassVar[tuple[str, ...]] = ("stage", "count", "amount", "weighted")

    period: str
    owner_id: int | None
    stages: tuple[StagePipeline, ...]
    total_count: int
    total_amount: Decimal
    total_weighted: Decimal
    # the same deals by owner, most weighted first (one row when the report is one rep's)
    by_rep: tuple[RepPipeline, ...] = ()

    def summary(self) -> Summary:
        """Totals over all open stages."""
        return [
            ("total_count", self.total_count),
            ("total_amount", self.total_amount),
            ("total_weighted", self.total_weighted),
        ]

    def rows(self) -> Rows:
        """One row per open stage, in funnel order (stages without deals included)."""
        return [(s.stage, s.count, s.amount, s.weighted) for s in self.stages]


def pipeline_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
) -> PipelineReport:
    """Open deals by stage with weighted amounts, and by rep; a snapshot, so `period` is only
    validated."""
    period_range(period, now, tz)
    query = (
        select(Deal.owner_id, Staff.name, Deal.stage, func.count(), func.sum(Deal.amount))
        .outerjoin(Staff, Staff.id == Deal.owner_id)
        .where(Deal.stage.in_(OPEN_STAGES))
        .group_by(Deal.owner_id, Staff.name, Deal.stage)
    )
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    found: dict[Stage, tuple[int, Decimal]] = {}
    reps: dict[int | None, RepPipeline] = {}
    for owner, name, stage, n, total in uow.session.execute(query):
        count, amount = _int(n), _money(total)
        had = found.get(stage, (0, ZERO))
        found[stage] = (had[0] + count, had[1] + amount)
        weighted = (amount * STAGE_WEIGHTS[stage]).quantize(CENT, rounding=ROUND_HALF_UP)
        was = reps.get(owner, RepPipeline(owner, name, 0, ZERO, ZERO))
        reps[owner] = replace(
            was,
            count=was.count + count,
            amount=was.amount + amount,
            weighted=was.weighted + weighted,
        )
    stages = []
    for stage in OPEN_STAGES:
        count, amount = found.get(stage, (0, ZERO))
        weighted = (amount * STAGE_WEIGHTS[stage]).quantize(CENT, rounding=ROUND_HALF_UP)
        stages.append(StagePipeline(stage.value, count, amount, weighted))
    return PipelineReport(
        period=period,
        owner_id=owner_id,
        stages=tuple(stages),
        total_count=sum(s.count for s in stages),
        total_amount=sum((s.amount for s in stages), ZERO),
        total_weighted=sum((s.weighted for s in stages), ZERO),
        by_rep=tuple(sorted(reps.values(), key=lambda r: (-r.weighted, -r.amount, r.name or ""))),
    )


# --- tickets -------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityTickets:
    """Ticket figures for one priority."""

    priority: str
    opened: int
    resolved: int
    backlog: int
    sla_breaches: int
    overdue: int
    median_resolution_hours: Decimal | None


@dataclass(frozen=True)
class TicketsReport:
    """Support load and SLA in a period, with the backlog as it is now.

    opened: created in the period; resolved: resolved or closed in the period;
    backlog: open or pending now; sla_breaches: SLA deadlines that fell in the period
    (before now) and were missed (resolved after the deadline, or still open or
    pending); overdue: open or pending now and past the deadline whenever it fell;
    median resolution: created to resolved, over tickets resolved in the period.
    """

    kind: ClassVar[str] = "tickets"
    columns: ClassVar[tuple[str, ...]] = (
        "priority",
        "opened",
        "resolved",
        "backlog",
        "sla_breaches",
        "overdue",
        "median_resolution_hours",
    )

    period: str
    start: datetime
    end: datetime
    opened: int
    resolved: int
    backlog: int
    sla_breaches: int
    overdue: int
    median_resolution_hours: Decimal | None
    by_priority: tuple[PriorityTickets, ...]

    def summary(self) -> Summary:
        """Totals over all priorities."""
        return [
            ("opened", self.opened),
            ("resolved", self.resolved),
            ("backlog", self.backlog),
            ("sla_breaches", self.sla_breaches),
            ("overdue", self.overdue),
            ("median_resolution_hours", self.median_resolution_hours),
        ]

    def rows(self) -> Rows:
        """One row per priority, most urgent first."""
        return [
            (
                p.priority,
                p.opened,
                p.resolved,
                p.backlog,
                p.sla_breaches,
                p.overdue,
                p.median_resolution_hours,
            )
            for p in self.by_priority
        ]


PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)


def tickets_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
) -> TicketsReport:
    """Opened, resolved, backlog, SLA breaches and median resolution time, by priority; of
    the tickets assigned to `owner_id` when given."""
    start, end = period_range(period, now, tz)
    theirs = true() if owner_id is None else Ticket.assignee_id == owner_id
    is_open = Ticket.status.in_(BACKLOG_STATES)
    resolved_in = and_(Ticket.resolved_at.is_not(None), _within(Ticket.resolved_at, start, end))
    missed = or_(
        Ticket.resolved_at > Ticket.sla_due_at,
        and_(Ticket.resolved_at.is_(None), is_open),
    )
    breached = and_(_within(Ticket.sla_due_at, start, min(end, now)), missed)
    counts = (
        select(
            Ticket.priority,
            _count_if(_within(Ticket.created_at, start, end)),
            _count_if(resolved_in),
            _count_if(is_open),
            _count_if(breached),
            _count_if(and_(is_open, Ticket.sla_due_at < now)),
        )
        .where(theirs)
        .group_by(Ticket.priority)
    )
    figures = {row[0]: tuple(_int(v) for v in row[1:]) for row in uow.session.execute(counts)}
    durations: dict[Priority, list[timedelta]] = {p: [] for p in PRIORITY_ORDER}
    resolved_rows = select(Ticket.priority, Ticket.created_at, Ticket.resolved_at).where(
        resolved_in, theirs
    )
    for priority, created_at, resolved_at in uow.session.execute(resolved_rows):
        if resolved_at is not None:
            durations[priority].append(resolved_at - created_at)
    rows = []
    for priority in PRIORITY_ORDER:
        opened, resolved, backlog, breaches, overdue = figures.get(priority, (0, 0, 0, 0, 0))
        rows.append(
            PriorityTickets(
                priority.value,
                opened,
                resolved,
                backlog,
                breaches,
                overdue,
                _median_hours(durations[priority]),
            )
        )
    return TicketsReport(
        period=period,
        start=start,
        end=end,
        opened=sum(r.opened for r in rows),
        resolved=sum(r.resolved for r in rows),
        backlog=sum(r.backlog for r in rows),
        sla_breaches=sum(r.sla_breaches for r in rows),
        overdue=sum(r.overdue for r in rows),
        median_resolution_hours=_median_hours([d for ds in durations.values() for d in ds]),
        by_priority=tuple(rows),
    )


# --- loyalty -------------------------------------------------------------------------


@dataclass(frozen=True)
class LoyaltyReport:
    """Points flow in a period and the liability and membership as they are now.

    issued: all positive ledger rows (earn, opening, positive adjustments); redeemed and
    expired: points taken by redeem and expire rows (negative adjustments are neither);
    members: customers with a member id or any ledger row.
    """

    kind: ClassVar[str] = "loyalty"
    columns: ClassVar[tuple[str, ...]] = ("tier", "members")

    period: str
    start: datetime
    end: datetime
    issued: int
    redeemed: int
    expired: int
    outstanding_points: int
    point_value: Decimal
    outstanding_thb: Decimal
    members_by_tier: tuple[tuple[str, int], ...]

    def summary(self) -> Summary:
        """Points flow in the period and the outstanding liability."""
        return [
            ("issued", self.issued),
            ("redeemed", self.redeemed),
            ("expired", self.expired),
            ("outstanding_points", self.outstanding_points),
            ("outstanding_thb", self.outstanding_thb),
        ]

    def rows(self) -> Rows:
        """One row per tier, bronze to platinum."""
        return [(tier, count) for tier, count in self.members_by_tier]


def loyalty_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
    point_value: Decimal = DEFAULT_POINT_VALUE,
) -> LoyaltyReport:
    """Points issued, redeemed and expired in the period; liability (points, THB); tiers."""
    start, end = period_range(period, now, tz)
    flow = select(
        func.sum(case((PointsEntry.delta > 0, PointsEntry.delta), else_=0)),
        func.sum(case((PointsEntry.kind == LedgerKind.REDEEM, -PointsEntry.delta), else_=0)),
        func.sum(case((PointsEntry.kind == LedgerKind.EXPIRE, -PointsEntry.delta), else_=0)),
    ).where(_within(PointsEntry.created_at, start, end))
    issued, redeemed, expired = (_int(v) for v in uow.session.execute(flow).one())
    outstanding = _int(uow.session.scalar(select(func.sum(PointsEntry.delta))))
    has_ledger = exists().where(PointsEntry.customer_id == Customer.id)
    tiers_query = (
        select(Customer.tier, func.count())
        .where(or_(Customer.member_id.is_not(None), has_ledger))
        .group_by(Customer.tier)
    )
    tiers = {tier: _int(n) for tier, n in uow.session.execute(tiers_query)}
    return LoyaltyReport(
        period=period,
        start=start,
        end=end,
        issued=issued,
        redeemed=redeemed,
        expired=expired,
        outstanding_points=outstanding,
        point_value=point_value,
        outstanding_thb=to_money(Decimal(outstanding) * point_value),
        members_by_tier=tuple((t.value, tiers.get(t, 0)) for t in Tier),
    )


# --- interactions --------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionsReport:
    """Logged interactions in a period by type and by rep (name None: no staff member)."""

    kind: ClassVar[str] = "interactions"
    columns: ClassVar[tuple[str, ...]] = ("group", "key", "count")

    period: str
    start: datetime
    end: datetime
    owner_id: int | None
    total: int
    by_type: tuple[tuple[str, int], ...]
    by_rep: tuple[tuple[int | None, str | None, int], ...]

    def summary(self) -> Summary:
        """The number of interactions in the period."""
        return [("total", self.total)]

    def rows(self) -> Rows:
        """("type", type, count) rows for every type, then ("rep", name, count) rows."""
        rows: Rows = [("type", kind, count) for kind, count in self.by_type]
        rows.extend(("rep", name, count) for _, name, count in self.by_rep)
        return rows


def interactions_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
) -> InteractionsReport:
    """Interactions that occurred in the period, counted by type and by staff member."""
    start, end = period_range(period, now, tz)
    scope = [_within(Interaction.occurred_at, start, end)]
    if owner_id is not None:
        scope.append(Interaction.staff_id == owner_id)
    by_type_query = select(Interaction.type, func.count()).where(*scope).group_by(Interaction.type)
    types = {kind: _int(n) for kind, n in uow.session.execute(by_type_query)}
    by_rep_query = (
        select(Interaction.staff_id, Staff.name, func.count())
        .outerjoin(Staff, Staff.id == Interaction.staff_id)
        .where(*scope)
        .group_by(Interaction.staff_id, Staff.name)
    )
    reps = sorted(
        ((staff_id, name, _int(n)) for staff_id, name, n in uow.session.execute(by_rep_query)),
        key=lambda r: (-r[2], r[1] or ""),
    )
    return InteractionsReport(
        period=period,
        start=start,
        end=end,
        owner_id=owner_id,
        total=sum(types.values()),
        by_type=tuple((t.value, types.get(t, 0)) for t in InteractionType),
        by_rep=tuple(reps),
    )


# --- customers -----------------------------------------------------------------------


@dataclass(frozen=True)
class CustomersReport:
    """New customers in a period and the customer base as it is now.

    reachable_on_line: linked to LINE and still following; marketable: that and consented.
    """

    kind: ClassVar[str] = "customers"
    columns: ClassVar[tuple[str, ...]] = ("measure", "count")

    period: str
    start: datetime
    end: datetime
    new_total: int
    new_leads: int
    new_customers: int
    total: int
    leads: int
    customers: int
    consented: int
    reachable_on_line: int
    marketable: int

    def summary(self) -> Summary:
        """New customers in the period and the size of the base."""
        return [("new_total", self.new_total), ("total", self.total)]

    def rows(self) -> Rows:
        """(measure, count) pairs in a fixed order."""
        return [
            ("new_total", self.new_total),
            ("new_leads", self.new_leads),
            ("new_customers", self.new_customers),
            ("total", self.total),
            ("leads", self.leads),
            ("customers", self.customers),
            ("consented", self.consented),
            ("reachable_on_line", self.reachable_on_line),
            ("marketable", self.marketable),
        ]


def customers_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
) -> CustomersReport:
    """New customers and leads in the period; totals, consent and LINE reach now."""
    start, end = period_range(period, now, tz)
    is_new = _within(Customer.created_at, start, end)
    is_lead = Customer.lifecycle == Lifecycle.LEAD
    consented = Customer.marketing_consent.is_(True)
    on_line = and_(Customer.line_user_id.is_not(None), Customer.line_followed.is_(True))
    query = select(
        func.count(),
        _count_if(is_lead),
        _count_if(is_new),
        _count_if(and_(is_new, is_lead)),
        _count_if(consented),
        _count_if(on_line),
        _count_if(and_(on_line, consented)),
    ).select_from(Customer)
    total, leads, new_total, new_leads, consent, reach, marketable = (
        _int(v) for v in uow.session.execute(query).one()
    )
    return CustomersReport(
        period=period,
        start=start,
        end=end,
        new_total=new_total,
        new_leads=new_leads,
        new_customers=new_total - new_leads,
        total=total,
        leads=leads,
        customers=total - leads,
        consented=consent,
        reachable_on_line=reach,
        marketable=marketable,
    )


# --- top customers -------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerSpend:
    """What one customer brought in a period: kept orders and deals won, and their sum."""

    customer_id: int
    name: str
    orders: int
    orders_amount: Decimal
    deals: int
    deals_amount: Decimal

    @property
    def amount(self) -> Decimal:
        """Orders and deals together."""
        return self.orders_amount + self.deals_amount


@dataclass(frozen=True)
class TopCustomersReport:
    """The customers who brought the most in a period, biggest first (`top` of them)."""

    kind: ClassVar[str] = "top_customers"
    columns: ClassVar[tuple[str, ...]] = ("customer", "orders", "deals", "amount")

    period: str
    start: datetime
    end: datetime
    owner_id: int | None
    customers: int
    total_amount: Decimal
    top: tuple[CustomerSpend, ...]

    def summary(self) -> Summary:
        """How many customers brought anything, and how much in all."""
        return [("customers", self.customers), ("total_amount", self.total_amount)]

    def rows(self) -> Rows:
        """One row per customer, biggest amount first."""
        return [(c.name, c.orders, c.deals, c.amount) for c in self.top]


def _won_by_customer(
    uow: UnitOfWork, start: datetime, end: datetime, owner_id: int | None
) -> dict[int, tuple[int, Decimal]]:
    """Deals won in [start, end) per customer: (count, amount at the latest win)."""
    latest = _settled_in(start, end, Stage.WON)
    query = (
        select(Deal.customer_id, func.count(), func.sum(latest.c.amount))
        .select_from(latest)
        .join(Deal, Deal.id == latest.c.deal_id)
        .where(latest.c.newest_first == 1, latest.c.to_stage == Stage.WON)
        .group_by(Deal.customer_id)
    )
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    return {cid: (_int(n), _money(total)) for cid, n, total in uow.session.execute(query)}


def _kept_in(start: datetime, end: datetime) -> tuple[Any, ...]:
    """Orders kept (neither cancelled nor returned) and placed in [start, end)."""
    return (_within(Order.placed_at, start, end), Order.status.not_in(RFM_EXCLUDED_STATUSES))


def _orders_by_customer(
    uow: UnitOfWork, start: datetime, end: datetime
) -> dict[int, tuple[int, Decimal]]:
    """Kept orders placed in [start, end) per customer."""
    query = (
        select(Order.customer_id, func.count(), func.sum(Order.total))
        .where(*_kept_in(start, end))
        .group_by(Order.customer_id)
    )
    return {cid: (_int(n), _money(total)) for cid, n, total in uow.session.execute(query)}


def _kept_orders(uow: UnitOfWork, start: datetime, end: datetime) -> tuple[int, Decimal]:
    """How many kept orders were placed in [start, end), and their amount."""
    count, total = uow.session.execute(
        select(func.count(), func.sum(Order.total)).where(*_kept_in(start, end))
    ).one()
    return _int(count), _money(total)


def _names(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    """Customer names by id."""
    query = select(Customer.id, Customer.name).where(Customer.id.in_(list(ids)))
    return {cid: name for cid, name in uow.session.execute(query)}


def top_customers_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
    top: int = 10,
) -> TopCustomersReport:
    """The customers whose kept orders and won deals in the period add up to the most.

    For a rep (`owner_id`), only the deals they won count: orders belong to no rep.
    """
    start, end = period_range(period, now, tz)
    won = _won_by_customer(uow, start, end, owner_id)
    bought = _orders_by_customer(uow, start, end) if owner_id is None else {}
    nothing = (0, ZERO)
    totals = {
        cid: bought.get(cid, nothing)[1] + won.get(cid, nothing)[1]
        for cid in set(won) | set(bought)
    }
    biggest = sorted(totals, key=lambda cid: (-totals[cid], cid))[: max(top, 1)]
    names = _names(uow, biggest)
    spend = [
        CustomerSpend(cid, names[cid], *bought.get(cid, nothing), *won.get(cid, nothing))
        for cid in biggest
    ]
    return TopCustomersReport(
        period=period,
        start=start,
        end=end,
        owner_id=owner_id,
        customers=len(totals),
        total_amount=sum(totals.values(), ZERO),
        top=tuple(spend),
    )


# --- RFM segments --------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerRFM:
    """One customer's RFM values, 1-5 scores and segment.

    recency_days: whole days since the last kept order (any age); frequency and
    monetary: kept orders placed in the 365 days up to now.
    """

    customer_id: int
    recency_days: int
    frequency: int
    monetary: Decimal
    r_score: int
    f_score: int
    m_score: int
    segment: str


def _breakpoints(values: Sequence[Any]) -> list[Any]:
    """Upper bounds of the first four quintiles (nearest rank on the sorted values)."""
    ordered = sorted(values)
    n = len(ordered)
    return [ordered[max((i * n) // 5 - 1, 0)] for i in range(1, 5)]


def segment_for(r_score: int, fm_score: int, frequency: int) -> str:
    """The segment name for R and combined F/M scores (rules applied top to bottom).

    champions: R>=4, FM>=4; new_customers: R>=4 and one order; loyal: R>=3, FM>=3;
    potential_loyalists: other R>=3; cant_lose_them: R<=2, FM=5; at_risk: R<=2, FM>=3;
    hibernating: R=2 or FM=2; lost: the rest (R=1, FM=1).
    FM is the mean of the F and M scores, rounded half up.
    """
    if r_score >= 4 and fm_score >= 4:
        return "champions"
    if r_score >= 4 and frequency == 1:
        return "new_customers"
    if r_score >= 3:
        return "loyal" if fm_score >= 3 else "potential_loyalists"
    if fm_score == 5:
        return "cant_lose_them"
    if fm_score >= 3:
        return "at_risk"
    if r_score == 2 or fm_score == 2:
        return "hibernating"
    return "lost"


_Scored = tuple[int, int, int, Decimal, int, int, int, str]


def _score_all(stats: Iterable[tuple[int, int, int, Decimal]]) -> list[_Scored]:
    """Plain-tuple scoring (cheap enough for every customer at once); see score_rfm."""
    rows = list(stats)
    if not rows:
        return []
    r_bounds = _breakpoints([r[1] for r in rows])
    f_bounds = _breakpoints([r[2] for r in rows])
    m_bounds = _breakpoints([r[3] for r in rows])
    scored = []
    for cid, days, freq, money in rows:
        # bisect_left counts the bounds a value exceeds, so equal values share a score.
        r = 5 - bisect_left(r_bounds, days)
        f = 1 + bisect_left(f_bounds, freq)
        m = 1 + bisect_left(m_bounds, money)
        segment = segment_for(r, (f + m + 1) // 2, freq)
        scored.append((cid, days, freq, money, r, f, m, segment))
    return scored


def score_rfm(stats: Iterable[tuple[int, int, int, Decimal]]) -> list[CustomerRFM]:
    """Score (customer_id, recency_days, frequency, monetary) rows against each other.

    Each measure is split into quintiles over all scored customers; ties share a score.
    """
    return [CustomerRFM(*row) for row in _score_all(stats)]


class _WholeDaysBetween(FunctionElement[int]):
    """Whole days from a timestamp column to a later time, computed in the database."""

    type = Integer()
    inherit_cache = True


@compiles(_WholeDaysBetween, "sqlite")
def _days_sqlite(element: _WholeDaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    # whole seconds first, so float julian days cannot round across a day boundary
    return f"(CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER) / 86400)"


@compiles(_WholeDaysBetween)
def _days_default(element: _WholeDaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(floor(extract(epoch from ({later} - {earlier})) / 86400) AS INTEGER)"


def _rfm_stats(uow: UnitOfWork, now: datetime) -> list[tuple[int, int, int, Decimal]]:
    """Per customer with a kept order: days since the last, orders and spend in the window."""
    if now.tzinfo is None:
        raise InvalidValue("now must be timezone-aware")
    recent = Order.placed_at >= now - RFM_WINDOW
    query = (
        select(
            Order.customer_id,
            _WholeDaysBetween(func.max(Order.placed_at), literal(now, Order.placed_at.type)),
            _count_if(recent),
            func.sum(case((recent, Order.total), else_=literal(ZERO, Order.total.type))),
        )
        .where(Order.status.not_in(RFM_EXCLUDED_STATUSES), Order.placed_at <= now)
        .group_by(Order.customer_id)
    )
    return [
        (cid, _int(days), _int(freq), _money(money))
        for cid, days, freq, money in uow.session.execute(query)
    ]


def rfm_scores(uow: UnitOfWork, now: datetime) -> list[CustomerRFM]:
    """RFM scores and segments of every customer with at least one kept order."""
    return score_rfm(_rfm_stats(uow, now))


@dataclass(frozen=True)
class SegmentSummary:
    """Customers in one RFM segment and their spend over the RFM window."""

    segment: str
    customers: int
    monetary: Decimal


@dataclass(frozen=True)
class SegmentsReport:
    """Customers by RFM segment as of now (customers without kept orders are unscored)."""

    kind: ClassVar[str] = "segments"
    columns: ClassVar[tuple[str, ...]] = ("segment", "customers", "monetary")

    period: str
    scored_customers: int
    segments: tuple[SegmentSummary, ...]

    def summary(self) -> Summary:
        """How many customers have RFM scores."""
        return [("scored_customers", self.scored_customers)]

    def rows(self) -> Rows:
        """One row per segment in SEGMENTS order (empty segments included)."""
        return [(s.segment, s.customers, s.monetary) for s in self.segments]


def segments_report(
    uow: UnitOfWork,
    period: str,
    now: datetime,
    *,
    tz: str = DEFAULT_TZ,
    owner_id: int | None = None,
) -> SegmentsReport:
    """Customer counts and 12-month spend per RFM segment; `period` is only validated."""
    period_range(period, now, tz)
    counts = dict.fromkeys(SEGMENTS, 0)
    money = dict.fromkeys(SEGMENTS, ZERO)
    scored = _score_all(_rfm_stats(uow, now))
    for _, _, _, monetary, _, _, _, segment in scored:
        counts[segment] += 1
        money[segment] += monetary
    return SegmentsReport(
        period=period,
        scored_customers=len(scored),
        segments=tuple(SegmentSummary(s, counts[s], money[s]) for s in SEGMENTS),
    )


def customer_segment(uow: UnitOfWork, customer_id: int, now: datetime) -> CustomerRFM | None:
    """One customer's RFM scores and segment; None when they have no kept order."""
    found = next((s for s in _score_all(_rfm_stats(uow, now)) if s[0] == customer_id), None)
    return None if found is None else CustomerRFM(*found)


def customers_in_segment(uow: UnitOfWork, segment: str, now: datetime) -> list[int]:
    """Ids of the customers in an RFM segment, ascending (campaign audiences)."""
    if segment not in SEGMENTS:
        raise InvalidValue(f"unknown segment {segment!r}")
    return sorted(s[0] for s in _score_all(_rfm_stats(uow, now)) if s[7] == segment)


REPORTS: dict[str, ReportFunction] = {
    "sales": sales_report,
    "pipeline": pipeline_report,
    "tickets": tickets_report,
    "loyalty": loyalty_report,
    "interactions": interactions_report,
    "customers": customers_report,
    "segments": segments_report,
}


# --- daily digest --------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerOrders:
    """One customer's kept orders in a period: how many and their total."""

    customer_id: int
    name: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class DailyDigest:
    """Yesterday at a glance for managers (`day` is the local calendar day reported on).

    sales: deals won on `day` against the day before; tickets: opened on `day`, SLA
    deadlines that fell on `day` and were missed, and tickets open and past their deadline
    now. Top movers: the reps with the largest won amount on `day` (deals without an owner
    left out) and the customers whose kept orders placed on `day` (neither cancelled nor
    returned) add up to the most.
    """

    day: date
    sales: SalesReport
    tickets: TicketsReport
    top_reps: tuple[RepSales, ...]
    top_customers: tuple[CustomerOrders, ...]


def _top_customers(
    uow: UnitOfWork, start: datetime, end: datetime, limit: int
) -> list[CustomerOrders]:
    """The `limit` customers with the largest kept-order total placed in [start, end)."""
    bought = _orders_by_customer(uow, start, end)
    biggest = sorted(bought, key=lambda cid: (-bought[cid][1], cid))[:limit]
    names = _names(uow, biggest)
    return [CustomerOrders(cid, names[cid], *bought[cid]) for cid in biggest]


def digest(uow: UnitOfWork, now: datetime, *, tz: str = DEFAULT_TZ, top: int = 3) -> DailyDigest:
    """The managers' daily digest of yesterday (local calendar day in `tz`) as seen at `now`."""
    start, end = period_range("yesterday", now, tz)
    sales = sales_report(uow, "yesterday", now, tz=tz)
    return DailyDigest(
        day=_local_now(now, _zone(tz)).date() - timedelta(days=1),
        sales=sales,
        tickets=tickets_report(uow, "yesterday", now, tz=tz),
        top_reps=tuple(r for r in sales.by_rep if r.staff_id is not None)[:top],
        top_customers=tuple(_top_customers(uow, start, end, top)),
    )
