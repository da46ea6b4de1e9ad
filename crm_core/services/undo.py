"""Reverting a staff member's recent change from the audit log's before-images."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, inspect, select

from crm_core.errors import DomainError
from crm_core.models import (
    AuditEntry,
    Base,
    Customer,
    Deal,
    DealStageChange,
    Interaction,
    KnowledgeEntry,
    PointsEntry,
    Task,
    Ticket,
    TicketNote,
    TicketStatusChange,
)
from crm_core.services.loyalty import adjust_points
from crm_core.types import Money, UTCDateTime, utcnow
from crm_core.uow import UnitOfWork, snapshot

UNDO_WINDOW = timedelta(minutes=5)
# reason of the ledger entry that reverses an undone one ("undo of entry 59")
UNDO_REASON = "undo of entry"
# Entities whose creation may be undone by deleting them (nothing else refers to them yet).
DELETABLE: dict[str, type[Base]] = {
    "interactions": Interaction,
    "tasks": Task,
    "deals": Deal,
    "ticket_notes": TicketNote,
    "knowledge_entries": KnowledgeEntry,
}
RESTORABLE: dict[str, type[Base]] = {
    "knowledge_entries": KnowledgeEntry,
    "deals": Deal,
    "tickets": Ticket,
    "tasks": Task,
    # a points credit can lift a customer's tier; its undo puts the tier back
    "customers": Customer,
}


class NothingToUndo(DomainError):
    """No change of this actor within the undo window can be reverted."""


def _value(column: Any, raw: Any) -> Any:
    if raw is None:
        return None
    kind = column.type
    if isinstance(kind, Money):
        return Decimal(raw)
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(raw)
    if isinstance(kind, Date):
        return date.fromisoformat(raw)
    enum_class = getattr(kind, "enum_class", None)
    if enum_class is not None and issubclass(enum_class, enum.Enum):
        return enum_class(raw)
    return raw


def _restore(uow: UnitOfWork, entity: Base, before: dict[str, Any]) -> None:
    current = snapshot(entity)
    mapper = inspect(type(entity))
    for attr in mapper.column_attrs:
        key = attr.key
        if key in ("id", "updated_at") or key not in before or before[key] == current[key]:
            continue
        setattr(entity, key, _value(attr.columns[0], before[key]))
    if isinstance(entity, Deal) and before["stage"] != current["stage"]:
        entity.history.append(
            DealStageChange(
                from_stage=_value(Deal.__table__.c.stage, current["stage"]),
                to_stage=entity.stage,
                amount=entity.amount,
                changed_by=uow.actor.ref,
            )
        )
    if isinstance(entity, Ticket) and before["status"] != current["status"]:
        entity.history.append(
            TicketStatusChange(
                from_status=_value(Ticket.__table__.c.status, current["status"]),
                to_status=entity.status,
                changed_by=uow.actor.ref,
            )
        )
    uow.audit("undo", entity, current)


def undo_last(uow: UnitOfWork, audit_ids: list[int]) -> list[str]:
    """Revert the given audit rows (one user action) if they are the actor's and recent.

    Returns the actions reverted. Updates get their before-image back, creations of
    interactions, tasks, deals, ticket notes and FAQ entries are removed, points entries get
    a compensating entry.
    """
    rows = list(
        uow.session.scalars(
            select(AuditEntry).where(AuditEntry.id.in_(audit_ids)).order_by(AuditEntry.id.desc())
        )
    )
    cutoff = utcnow() - UNDO_WINDOW
    if not rows or any(r.actor != uow.actor.ref or r.created_at < cutoff for r in rows):
        raise NothingToUndo("nothing to undo")
    # every row is checked before any is reverted: an action is undone whole or not at all
    deals = {int(r.entity_id) for r in rows if r.entity_type == "deals" and r.before is None}
    for row in rows:
        if not _revertible(uow, row, deals):
            raise NothingToUndo(f"{row.action} cannot be undone")
    undone: list[str] = []
    for row in rows:
        key = int(row.entity_id)
        if row.entity_type == "customers" and row.before is None:
            # a customer added with a deal in the same action ("new deal Bangkok Bikes 50k")
            customer = uow.session.get(Customer, key)
            if customer is None:
                continue
            uow.session.flush()  # the deal removed above no longer refers to it
            uow.audit("undo", customer, snapshot(customer), {})
            uow.session.delete(customer)
        elif row.entity_type == "points_ledger":
            entry = uow.session.get_one(PointsEntry, key)
            reason = f"{UNDO_REASON} {entry.id}"
            adjust_points(uow, entry.customer_id, -entry.delta, reason=reason)
        elif row.before is None and row.entity_type in DELETABLE:
            entity = uow.session.get(DELETABLE[row.entity_type], key)
            if entity is None:
                continue
            uow.audit("undo", entity, snapshot(entity), {})
            if isinstance(entity, Deal):
                for change in list(entity.history):
                    uow.session.delete(change)
            uow.session.delete(entity)
        elif row.before is not None and row.entity_type in RESTORABLE:
            entity = uow.session.get(RESTORABLE[row.entity_type], key)
            if entity is None:
                continue
            _restore(uow, entity, row.before)
        undone.append(row.action)
    return undone


def _revertible(uow: UnitOfWork, row: AuditEntry, deals: set[int]) -> bool:
    """True when the audit row can be reverted: a points entry, an update of a restorable
    entity, a creation of a deletable one, or a new customer that nothing but the new deals
    of the same action refers to."""
    if row.entity_type == "points_ledger":
        return True
    if row.before is not None:
        return row.entity_type in RESTORABLE
    if row.entity_type in DELETABLE:
        return True
    return row.entity_type == "customers" and _unreferenced(uow, int(row.entity_id), deals)


def _unreferenced(uow: UnitOfWork, customer_id: int, deals: set[int]) -> bool:
    """True when no row refers to the customer but the given deals (its aliases go with it)."""
    for table in Base.metadata.sorted_tables:
        if table.name == "customer_aliases":
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "customers":
                continue
            query = select(fk.parent).where(fk.parent == customer_id).limit(1)
            if table.name == "deals":
                query = query.where(table.c.id.not_in(deals or {0}))
            if uow.session.execute(query).first() is not None:
                return False
    return True


def audit_ids_since(uow: UnitOfWork, marker: int) -> list[int]:
    """Ids of the audit rows this unit of work's actor wrote after `marker`."""
    return list(
        uow.session.scalars(
            select(AuditEntry.id).where(AuditEntry.id > marker, AuditEntry.actor == uow.actor.ref)
        )
    )


def audit_marker(uow: UnitOfWork) -> int:
    """The highest audit id so far (a bookmark before an action runs)."""
    from sqlalchemy import func

    return int(uow.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0)
