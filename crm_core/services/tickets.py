"""Support tickets: numbered, prioritised, with SLA due times and status history."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from crm_core.errors import InvalidValue, TicketNotFound
from crm_core.models import (
    Customer,
    Priority,
    Staff,
    Ticket,
    TicketNote,
    TicketStatus,
    TicketStatusChange,
)
from crm_core.services.orders import notify_customer
from crm_core.services.sequences import next_number
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork, snapshot

TICKET_NUMBER = re.compile(r"^TCK-\d+$")
SLA = {
    Priority.URGENT: timedelta(hours=4),
    Priority.HIGH: timedelta(hours=8),
    Priority.NORMAL: timedelta(hours=24),
    Priority.LOW: timedelta(hours=72),
}
CLOSED_STATES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
# a note is kept to this many characters (a chat message, not a document)
NOTE_LENGTH = 2000


def _priority(value: str | Priority) -> Priority:
    try:
        return Priority(value)
    except ValueError as exc:
        raise InvalidValue(f"unknown priority {value!r}") from exc


def _status(value: str | TicketStatus) -> TicketStatus:
    try:
        return TicketStatus(value)
    except ValueError as exc:
        raise InvalidValue(f"unknown ticket status {value!r}") from exc


def create_ticket(
    uow: UnitOfWork,
    subject: str,
    *,
    customer: Customer | None,
    description: str = "",
    priority: str | Priority = Priority.NORMAL,
    channel: str,
    assignee: Staff | None = None,
) -> Ticket:
    """Open a ticket with the next TCK- number and an SLA due time set by priority."""
    if not subject.strip():
        raise InvalidValue("ticket subject is required")
    prio = _priority(priority)
    now = utcnow()
    ticket = Ticket(
        number=f"TCK-{next_number(uow, 'ticket')}",
        customer_id=customer.id if customer else None,
        subject=subject.strip()[:300],
        description=description.strip(),
        priority=prio,
        status=TicketStatus.OPEN,
        assignee_id=assignee.id if assignee else None,
        channel=channel,
        sla_due_at=now + SLA[prio],
        created_at=now,
    )
    uow.session.add(ticket)
    uow.session.flush()
    ticket.history.append(
        TicketStatusChange(
            from_status=None,
            to_status=TicketStatus.OPEN,
            changed_by=uow.actor.ref,
        )
    )
    uow.audit("ticket.create", ticket, None)
    return ticket


def get_ticket(uow: UnitOfWork, number: str, *, customer: Customer | None = None) -> Ticket:
    """A ticket by number; with `customer`, only that customer's (others look absent)."""
    key = number.strip().upper()
    if not TICKET_NUMBER.match(key):
        raise InvalidValue(f"ticket id must look like TCK-2001: {number!r}")
    query = select(Ticket).where(Ticket.number == key).options(selectinload(Ticket.history))
    if customer is not None:
        query = query.where(Ticket.customer_id == customer.id)
    ticket = uow.session.scalar(query)
    if ticket is None:
        raise TicketNotFound(key)
    return ticket


def update_ticket(
    uow: UnitOfWork,
    ticket: Ticket,
    *,
    status: str | TicketStatus | None = None,
    priority: str | Priority | None = None,
    assignee: Staff | None = None,
) -> Ticket:
    """Change status, priority or assignee; a priority change resets the SLA clock."""
    before = snapshot(ticket)
    if priority is not None:
        prio = _priority(priority)
        if prio is not ticket.priority:
            ticket.priority = prio
            ticket.sla_due_at = ticket.created_at + SLA[prio]
    if assignee is not None:
        ticket.assignee_id = assignee.id
    if status is not None:
        new_status = _status(status)
        if new_status is not ticket.status:
            ticket.history.append(
                TicketStatusChange(
                    from_status=ticket.status,
                    to_status=new_status,
                    changed_by=uow.actor.ref,
                )
            )
            was_closed = ticket.status in CLOSED_STATES
            ticket.status = new_status
            notify_customer(
                uow, ticket.customer, "ticket_status", ticket=ticket.number, status=new_status.value
            )
            if new_status not in CLOSED_STATES:
                ticket.resolved_at = None
            elif not was_closed:
                # resolved -> closed keeps the first resolution time (resolution-time reports)
                ticket.resolved_at = utcnow()
    uow.audit("ticket.update", ticket, before)
    return ticket


def add_note(uow: UnitOfWork, ticket: Ticket, body: str, *, author: Staff | None) -> TicketNote:
    """Keep a staff member's remark on the ticket ("ลูกค้าโทรมาตามอีกรอบ")."""
    text = " ".join(body.split())
    if not text:
        raise InvalidValue("a ticket note needs some text")
    note = TicketNote(body=text[:NOTE_LENGTH], author_id=author.id if author else None)
    ticket.notes.append(note)
    uow.audit("ticket.note", note, None)
    return note


def open_tickets(uow: UnitOfWork, customer: Customer, limit: int = 5) -> list[Ticket]:
    """A customer's tickets that are not resolved or closed."""
    return list(
        uow.session.scalars(
            select(Ticket)
            .where(Ticket.customer_id == customer.id, Ticket.status.not_in(CLOSED_STATES))
            .order_by(Ticket.created_at.desc())
            .limit(limit)
        )
    )


def open_tickets_about(uow: UnitOfWork, customer: Customer, order_number: str) -> list[Ticket]:
    """A customer's tickets not resolved or closed that name the order in their subject or
    description (a problem reported with an order keeps its number there), newest first."""
    like = f"%{_escape_like(order_number.casefold())}%"
    rows = uow.session.scalars(
        select(Ticket)
        .where(
            Ticket.customer_id == customer.id,
            Ticket.status.not_in(CLOSED_STATES),
            func.lower(Ticket.subject).like(like, escape="\\")
            | func.lower(Ticket.description).like(like, escape="\\"),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    # "ORD-300" is no part of "ORD-3003"
    named = re.compile(rf"(?<![A-Za-z0-9]){re.escape(order_number)}(?!\d)", re.IGNORECASE)
    return [t for t in rows if named.search(f"{t.subject}\n{t.description}")]


def search(
    uow: UnitOfWork, words: list[str], *, customer: Customer | None = None, limit: int = 10
) -> tuple[int, list[Ticket]]:
    """How many tickets, open or not, hold every one of `words` in their subject, description
    or notes (any case), and the newest `limit` of them; only `customer`'s when given."""
    wanted: list[ColumnElement[bool]] = []
    for word in words:
        like = f"%{_escape_like(word.casefold())}%"
        noted = select(TicketNote.id).where(
            TicketNote.ticket_id == Ticket.id, func.lower(TicketNote.body).like(like, escape="\\")
        )
        wanted.append(
            func.lower(Ticket.subject).like(like, escape="\\")
            | func.lower(Ticket.description).like(like, escape="\\")
            | noted.exists()
        )
    if customer is not None:
        wanted.append(Ticket.customer_id == customer.id)
    count = uow.session.scalar(select(func.count()).select_from(Ticket).where(*wanted))
    rows = uow.session.scalars(
        select(Ticket)
        .where(*wanted)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return int(count or 0), list(rows)


def _escape_like(text: str) -> str:
    """`text` with LIKE's wildcards taken literally ("50%" is fifty percent)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def queue(
    uow: UnitOfWork,
    limit: int = 10,
    *,
    assignee: Staff | None = None,
    priority: str | Priority | None = None,
    due_before: datetime | None = None,
    unassigned: bool = False,
    status: str | TicketStatus | None = None,
) -> tuple[int, list[Ticket]]:
    """How many tickets are open (those of `assignee` or, `unassigned`, of nobody; of
    `priority`; due before `due_before`; at an open `status`, when given), and the first
    `limit` of them by SLA due time."""
    wanted: list[ColumnElement[bool]] = [Ticket.status.not_in(CLOSED_STATES)]
    if assignee is not None:
        wanted.append(Ticket.assignee_id == assignee.id)
    elif unassigned:
        wanted.append(Ticket.assignee_id.is_(None))
    if status is not None:
        wanted.append(Ticket.status == TicketStatus(status))
    if priority is not None:
        wanted.append(Ticket.priority == Priority(priority))
    if due_before is not None:
        wanted.append(Ticket.sla_due_at < due_before)
    count = uow.session.scalar(select(func.count()).select_from(Ticket).where(*wanted))
    rows = uow.session.scalars(
        select(Ticket).where(*wanted).order_by(Ticket.sla_due_at, Ticket.id).limit(limit)
    )
    return int(count or 0), list(rows)
