"""Interactions with customers and follow-up tasks for staff."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select, union_all
from sqlalchemy.orm import joinedload

from crm_core.errors import InvalidValue, TaskNotFound
from crm_core.models import (
    Customer,
    Deal,
    Interaction,
    InteractionType,
    Lifecycle,
    Order,
    Staff,
    Stage,
    Task,
    Ticket,
)
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork, snapshot


def log_interaction(
    uow: UnitOfWork,
    customer: Customer,
    kind: str | InteractionType,
    note: str,
    *,
    staff: Staff | None,
    channel: str,
    occurred_at: datetime | None = None,
) -> Interaction:
    """Record a call, meeting, email, visit, chat or note with a customer."""
    try:
        itype = InteractionType(kind)
    except ValueError as exc:
        raise InvalidValue(f"unknown interaction type {kind!r}") from exc
    interaction = Interaction(
        customer_id=customer.id,
        staff_id=staff.id if staff else None,
        type=itype,
        note=note.strip(),
        channel=channel,
        occurred_at=occurred_at or utcnow(),
    )
    uow.session.add(interaction)
    uow.audit("interaction.log", interaction, None)
    return interaction


def recent_interactions(uow: UnitOfWork, customer: Customer, limit: int = 5) -> list[Interaction]:
    """A customer's latest interactions."""
    return list(
        uow.session.scalars(
            select(Interaction)
            .where(Interaction.customer_id == customer.id)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(limit)
        )
    )


def create_task(
    uow: UnitOfWork,
    owner: Staff,
    title: str,
    *,
    due_date: date | None = None,
    customer: Customer | None = None,
) -> Task:
    """A follow-up for a staff member, optionally about a customer."""
    if not title.strip():
        raise InvalidValue("task title is required")
    task = Task(
        owner_id=owner.id,
        title=title.strip(),
        due_date=due_date,
        customer_id=customer.id if customer else None,
        done=False,
    )
    uow.session.add(task)
    uow.audit("task.create", task, None)
    return task


def complete_task(uow: UnitOfWork, task_id: int, owner: Staff, *, dropped: bool = False) -> Task:
    """Mark one of the owner's tasks done; `dropped`: taken off the list undone (the audit
    log says which)."""
    task = uow.session.get(Task, task_id)
    if task is None or task.owner_id != owner.id:
        raise TaskNotFound(task_id)
    before = snapshot(task)
    task.done, task.done_at = True, utcnow()
    uow.audit("task.drop" if dropped else "task.complete", task, before)
    return task


def reschedule_task(uow: UnitOfWork, task_id: int, owner: Staff, due_date: date) -> Task:
    """Move one of the owner's open tasks to another day."""
    task = uow.session.get(Task, task_id)
    if task is None or task.owner_id != owner.id or task.done:
        raise TaskNotFound(task_id)
    before = snapshot(task)
    task.due_date = due_date
    uow.audit("task.reschedule", task, before)
    return task


def open_tasks(uow: UnitOfWork, owner: Staff, limit: int = 20) -> list[Task]:
    """The owner's open tasks, soonest due first (undated last)."""
    return _soonest(uow, [Task.owner_id == owner.id, Task.done.is_(False)], limit)


def _soonest(uow: UnitOfWork, where: list[ColumnElement[bool]], limit: int) -> list[Task]:
    """The first `limit` tasks matching `where`, soonest due first (undated last), with their
    owner and customer."""
    return list(
        uow.session.scalars(
            select(Task)
            .options(joinedload(Task.customer), joinedload(Task.owner))
            .where(*where)
            .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
            .limit(limit)
        )
    )


def task_list(
    uow: UnitOfWork,
    owner: Staff | None,
    *,
    due_by: date | None = None,
    due_before: date | None = None,
    limit: int = 20,
) -> tuple[int, list[Task]]:
    """Open tasks of `owner`, or of the whole team when None: how many, and the first
    `limit` of them soonest due first (undated last), with their owner and customer. Only
    those due by `due_by` (that day included) or before `due_before` (overdue), when given."""
    where: list[ColumnElement[bool]] = [Task.done.is_(False)]
    if owner is not None:
        where.append(Task.owner_id == owner.id)
    if due_by is not None:
        where.append(Task.due_date <= due_by)
    if due_before is not None:
        where.append(Task.due_date < due_before)
    count = uow.session.scalar(select(func.count()).select_from(Task).where(*where)) or 0
    return count, _soonest(uow, where, limit)


def quiet_customers(
    uow: UnitOfWork, since: datetime, *, owner_id: int | None = None, limit: int = 20
) -> tuple[int, list[tuple[Customer, datetime | None]]]:
    """Customers not heard from since `since`: no interaction logged, no order placed and no
    ticket opened since then; how many, and the first `limit` with their last contact
    (None: never), longest quiet first.

    For a rep (`owner_id`), the customers of their open deals.
    """
    touches = union_all(
        select(Interaction.customer_id.label("customer_id"), Interaction.occurred_at.label("at")),
        select(Order.customer_id, Order.placed_at),
        select(Ticket.customer_id, Ticket.created_at).where(Ticket.customer_id.is_not(None)),
    ).subquery()
    last = (
        select(touches.c.customer_id, func.max(touches.c.at).label("at"))
        .group_by(touches.c.customer_id)
        .subquery()
    )
    wanted: list[ColumnElement[bool]] = [
        Customer.lifecycle == Lifecycle.CUSTOMER,
        or_(last.c.at.is_(None), last.c.at < since),
    ]
    if owner_id is not None:
        open_deals = select(Deal.customer_id).where(
            Deal.owner_id == owner_id, Deal.stage.not_in((Stage.WON, Stage.LOST))
        )
        wanted.append(Customer.id.in_(open_deals))
    base = select(Customer, last.c.at).outerjoin(last, last.c.customer_id == Customer.id)
    count = uow.session.scalar(select(func.count()).select_from(base.where(*wanted).subquery()))
    rows = uow.session.execute(
        base.where(*wanted)
        # never contacted first (NULLs sort differently in SQLite and PostgreSQL)
        .order_by(last.c.at.is_(None).desc(), last.c.at, Customer.name)
        .limit(limit)
    )
    return int(count or 0), [(customer, at) for customer, at in rows]
