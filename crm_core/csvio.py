"""CSV import (validate every row, then write all or nothing) and CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_core.errors import DomainError, ImportFailed, InvalidValue
from crm_core.models import (
    Customer,
    Deal,
    Interaction,
    LedgerKind,
    Order,
    PointsEntry,
    Staff,
    Ticket,
)
from crm_core.services import customers as customer_svc
from crm_core.services import deals as deal_svc
from crm_core.services import loyalty, orders
from crm_core.services.customers import CustomerInput
from crm_core.services.staff import staff_by_slack_id
from crm_core.types import to_money
from crm_core.uow import UnitOfWork

IMPORT_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required, optional)
    "customers": (
        ("name",),
        (
            "phone",
            "email",
            "company",
            "member_id",
            "tier",
            "line_user_id",
            "aliases",
            "points",
            "marketing_consent",
        ),
    ),
    "orders": (
        ("order_id",),
        ("customer", "status", "total", "placed_at", "carrier", "tracking_number"),
    ),
    "deals": (("customer", "title"), ("amount", "stage", "owner", "close_date")),
}


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    kind: str
    created: int
    updated: int


Row = dict[str, str]


def _read(kind: str, stream: TextIO) -> list[tuple[int, Row]]:
    required, optional = IMPORT_COLUMNS[kind]
    reader = csv.DictReader(stream)
    header = [h.strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    if not header:
        raise ImportFailed([(1, "the file is empty; expected a header row")])
    unknown = [h for h in header if h not in required + optional]
    missing = [h for h in required if h not in header]
    problems = [(1, f"unknown column {h!r}") for h in unknown]
    problems += [(1, f"missing required column {h!r}") for h in missing]
    if len(set(header)) != len(header):
        problems.append((1, "a column appears twice"))
    if problems:
        raise ImportFailed(problems)
    reader.fieldnames = header
    rows: list[tuple[int, Row]] = []
    for raw in reader:
        if None in raw:
            rows.append((reader.line_num, {"__error__": "more values than columns"}))
            continue
        values = {k: (v or "").strip() for k, v in raw.items()}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows


def _decimal(value: str, what: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = to_money(value.replace(",", "").replace("฿", ""))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidValue(f"{what} is not a number: {value!r}") from exc
    if amount < 0:
        raise InvalidValue(f"{what} cannot be negative")
    return amount


def _timestamp(value: str) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidValue(f"placed_at is not ISO 8601: {value!r}") from exc
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidValue(f"close_date is not an ISO date: {value!r}") from exc


def _yes_no(value: str) -> bool | None:
    lowered = value.lower()
    if not lowered:
        return None
    if lowered in ("yes", "y", "true", "1"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    raise InvalidValue(f"marketing_consent must be yes or no: {value!r}")


def _customer_input(row: Row) -> tuple[CustomerInput, int]:
    points_raw = row.get("points", "")
    try:
        points = int(points_raw) if points_raw else 0
    except ValueError as exc:
        raise InvalidValue(f"points is not a whole number: {points_raw!r}") from exc
    if points < 0:
        raise InvalidValue("points cannot be negative")
    data = CustomerInput(
        name=row.get("name", ""),
        phone=row.get("phone") or None,
        email=row.get("email") or None,
        company=row.get("company") or None,
        member_id=row.get("member_id") or None,
        tier=row.get("tier") or None,
        line_user_id=row.get("line_user_id") or None,
        aliases=[a for a in row.get("aliases", "").split(";") if a.strip()],
        marketing_consent=_yes_no(row.get("marketing_consent", "")),
    ).validated()
    return data, points


def _check_rows(kind: str, rows: list[tuple[int, Row]]) -> list[tuple[int, str]]:
    """Field-level validation of every row, plus keys repeated inside the file."""
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        try:
            if "__error__" in row:
                raise InvalidValue(row["__error__"])
            keys: list[tuple[str, str]] = []
            if kind == "customers":
                data, _ = _customer_input(row)
                keys = [
                    (f, v)
                    for f in ("member_id", "phone", "line_user_id")
                    if (v := getattr(data, f))
                ]
            elif kind == "orders":
                keys = [("order_id", orders.order_number(row["order_id"]))]
                if not row.get("customer"):
                    raise InvalidValue("customer is required")
                if row.get("status"):
                    orders.order_status(row["status"])
                _decimal(row.get("total", ""), "total")
                _timestamp(row.get("placed_at", ""))
            else:
                if not row.get("title"):
                    raise InvalidValue("title is required")
                _decimal(row.get("amount", ""), "amount")
                if row.get("stage"):
                    deal_svc.parse_stage(row["stage"].lower())
                _date(row.get("close_date", ""))
            for key in keys:
                if key in seen:
                    raise InvalidValue(f"{key[0]} {key[1]} already appears on line {seen[key]}")
                seen[key] = line
        except DomainError as exc:
            problems.append((line, str(exc)))
    return problems


def _apply_customer(uow: UnitOfWork, row: Row) -> bool:
    data, points = _customer_input(row)
    existing = customer_svc.find_existing(uow, data)
    if existing is None:
        customer = customer_svc.create_customer(uow, data, source="import")
        created = True
    else:
        customer = customer_svc.update_customer(uow, existing, data, source="import")
        created = False
    if points:
        uow.session.flush()
        loyalty.earn_points(
            uow,
            customer.id,
            points,
            reason="opening balance (import)",
            kind=LedgerKind.OPENING,
            idempotency_key=f"opening:{customer.id}",
        )
    return created


def _apply_order(uow: UnitOfWork, row: Row) -> bool:
    customer = customer_svc.customer_by_reference(uow, row["customer"])
    _, created = orders.upsert_order(
        uow,
        row["order_id"],
        customer,
        status=row.get("status") or None,
        total=_decimal(row.get("total", ""), "total"),
        placed_at=_timestamp(row.get("placed_at", "")),
        carrier=row.get("carrier") or None,
        tracking_number=row.get("tracking_number") or None,
    )
    return created


def _apply_deal(uow: UnitOfWork, row: Row) -> bool:
    customer = customer_svc.customer_by_reference(uow, row["customer"])
    owner = staff_by_slack_id(uow, row["owner"]) if row.get("owner") else None
    amount = _decimal(row.get("amount", ""), "amount")
    stage = row.get("stage", "").lower() or None
    close = _date(row.get("close_date", ""))
    existing = uow.session.scalar(
        select(Deal).where(
            Deal.customer_id == customer.id, func.lower(Deal.title) == row["title"].lower()
        )
    )
    if existing is None:
        deal_svc.create_deal(
            uow,
            customer,
            row["title"],
            owner=owner,
            amount=amount or Decimal("0"),
            stage=stage or "lead",
            close_date=close,
        )
        return True
    deal_svc.update_deal(uow, existing, stage=stage, amount=amount, close_date=close, owner=owner)
    return False


APPLY: dict[str, Callable[[UnitOfWork, Row], bool]] = {
    "customers": _apply_customer,
    "orders": _apply_order,
    "deals": _apply_deal,
}


def import_csv(uow: UnitOfWork, kind: str, stream: TextIO) -> ImportResult:
    """Validate every row, then write them in one transaction; any bad row writes nothing."""
    if kind not in IMPORT_COLUMNS:
        raise InvalidValue(f"cannot import {kind!r}; use one of {sorted(IMPORT_COLUMNS)}")
    rows = _read(kind, stream)
    problems = _check_rows(kind, rows)
    if problems:
        raise ImportFailed(problems)
    created = updated = 0
    with uow:
        for line, row in rows:
            try:
                if APPLY[kind](uow, row):
                    created += 1
                else:
                    updated += 1
                uow.session.flush()
            except DomainError as exc:
                problems.append((line, str(exc)))
                uow.session.rollback()
                break
        if problems:
            raise ImportFailed(problems)
        uow.commit()
    return ImportResult(kind, created, updated)


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _export_rows(uow: UnitOfWork, kind: str) -> tuple[list[str], Iterable[list[Any]]]:
    s = uow.session
    staff_ids = {k: v for k, v in s.execute(select(Staff.id, Staff.slack_user_id))}
    if kind == "customers":
        points = {
            k: v
            for k, v in s.execute(
                select(PointsEntry.customer_id, func.sum(PointsEntry.delta)).group_by(
                    PointsEntry.customer_id
                )
            )
        }
        customers = s.scalars(
            select(Customer).options(selectinload(Customer.aliases)).order_by(Customer.id)
        )
        return (
            [
                "id",
                "name",
                "phone",
                "email",
                "company",
                "member_id",
                "tier",
                "line_user_id",
                "aliases",
                "points",
                "marketing_consent",
                "consent_at",
                "consent_source",
                "lifecycle",
                "created_at",
                "updated_at",
            ],
            (
                [
                    c.id,
                    c.name,
                    c.phone,
                    c.email,
                    c.company,
                    c.member_id,
                    c.tier,
                    c.line_user_id,
                    ";".join(c.alias_names),
                    points.get(c.id, 0),
                    "yes" if c.marketing_consent else "no",
                    c.consent_at,
                    c.consent_source,
                    c.lifecycle,
                    c.created_at,
                    c.updated_at,
                ]
                for c in customers
            ),
        )
    member = {k: v for k, v in s.execute(select(Customer.id, Customer.member_id))}
    names = {k: v for k, v in s.execute(select(Customer.id, Customer.name))}

    def ref(cid: int | None) -> str:
        return (member.get(cid) or names.get(cid) or "") if cid is not None else ""

    if kind == "orders":
        return (
            [
                "id",
                "order_id",
                "customer",
                "customer_name",
                "status",
                "total",
                "placed_at",
                "carrier",
                "tracking_number",
                "updated_at",
            ],
            (
                [
                    o.id,
                    o.number,
                    ref(o.customer_id),
                    names.get(o.customer_id),
                    o.status,
                    o.total,
                    o.placed_at,
                    o.carrier,
                    o.tracking_number,
                    o.updated_at,
                ]
                for o in s.scalars(select(Order).order_by(Order.id))
            ),
        )
    if kind == "deals":
        return (
            [
                "id",
                "customer",
                "customer_name",
                "title",
                "amount",
                "stage",
                "owner",
                "close_date",
                "created_at",
                "updated_at",
            ],
            (
                [
                    d.id,
                    ref(d.customer_id),
                    names.get(d.customer_id),
                    d.title,
                    d.amount,
                    d.stage,
                    staff_ids.get(d.owner_id) if d.owner_id else "",
                    d.close_date,
                    d.created_at,
                    d.updated_at,
                ]
                for d in s.scalars(select(Deal).order_by(Deal.id))
            ),
        )
    if kind == "interactions":
        return (
            ["id", "customer", "customer_name", "type", "note", "staff", "channel", "occurred_at"],
            (
                [
                    i.id,
                    ref(i.customer_id),
                    names.get(i.customer_id),
                    i.type,
                    i.note,
                    staff_ids.get(i.staff_id) if i.staff_id else "",
                    i.channel,
                    i.occurred_at,
                ]
                for i in s.scalars(select(Interaction).order_by(Interaction.id))
            ),
        )
    if kind == "tickets":
        return (
            [
                "id",
                "ticket_id",
                "customer",
                "customer_name",
                "subject",
                "description",
                "priority",
                "status",
                "assignee",
                "channel",
                "sla_due_at",
                "created_at",
                "resolved_at",
            ],
            (
                [
                    t.id,
                    t.number,
                    ref(t.customer_id),
                    names.get(t.customer_id) if t.customer_id else "",
                    t.subject,
                    t.description,
                    t.priority,
                    t.status,
                    staff_ids.get(t.assignee_id) if t.assignee_id else "",
                    t.channel,
                    t.sla_due_at,
                    t.created_at,
                    t.resolved_at,
                ]
                for t in s.scalars(select(Ticket).order_by(Ticket.id))
            ),
        )
    if kind == "ledger":
        return (
            [
                "id",
                "customer",
                "customer_name",
                "delta",
                "kind",
                "reason",
                "reference",
                "actor",
                "created_at",
            ],
            (
                [
                    e.id,
                    ref(e.customer_id),
                    names.get(e.customer_id),
                    e.delta,
                    e.kind,
                    e.reason,
                    e.reference,
                    e.actor,
                    e.created_at,
                ]
                for e in s.scalars(select(PointsEntry).order_by(PointsEntry.id))
            ),
        )
    raise InvalidValue(f"cannot export {kind!r}; use one of {sorted(EXPORT_KINDS)}")


EXPORT_KINDS = ("customers", "orders", "deals", "interactions", "tickets", "ledger")


def export_csv(uow: UnitOfWork, kind: str, out: TextIO) -> int:
    """Write every row of kind as CSV; returns the number of data rows."""
    with uow:
        header, rows = _export_rows(uow, kind)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow([_iso(v) for v in row])
            count += 1
    return count


def iter_problems(error: ImportFailed) -> Iterator[str]:
    """`line N: reason` lines for a failed import."""
    for line, why in error.problems:
        yield f"line {line}: {why}"
