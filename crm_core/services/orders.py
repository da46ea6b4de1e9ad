"""Orders: upsert from imports, status changes with history, customer-scoped lookup."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from crm_core.errors import InvalidValue, OrderNotFound
from crm_core.models import Customer, Order, OrderStatus, OrderStatusChange
from crm_core.services import outbox
from crm_core.types import to_money, utcnow
from crm_core.uow import UnitOfWork, snapshot

ORDER_NUMBER = re.compile(r"^ORD-\d+$")


def order_number(raw: str) -> str:
    """Normalise 'ord-0099' to 'ORD-0099'; anything else is an InvalidValue."""
    number = raw.strip().upper()
    if not ORDER_NUMBER.match(number):
        raise InvalidValue(f"order id must look like ORD-3001: {raw!r}")
    return number


def order_status(value: str | OrderStatus) -> OrderStatus:
    """Parse an order status name."""
    try:
        return OrderStatus(str(value).strip().lower())
    except ValueError as exc:
        raise InvalidValue(
            f"unknown order status {value!r}; use one of {[s.value for s in OrderStatus]}"
        ) from exc


def get_order(uow: UnitOfWork, number: str, *, customer: Customer | None = None) -> Order:
    """An order by number; with `customer`, only that customer's (others look absent)."""
    query = (
        select(Order)
        .where(Order.number == order_number(number))
        .options(selectinload(Order.items), selectinload(Order.history))
    )
    if customer is not None:
        query = query.where(Order.customer_id == customer.id)
    order = uow.session.scalar(query)
    if order is None:
        raise OrderNotFound(number)
    return order


def latest_order(uow: UnitOfWork, customer: Customer) -> Order | None:
    """The customer's most recent order."""
    recent = recent_orders(uow, customer, limit=1)
    return recent[0] if recent else None


def recent_orders(
    uow: UnitOfWork,
    customer: Customer,
    *,
    limit: int = 5,
    within: tuple[datetime, datetime] | None = None,
) -> list[Order]:
    """The customer's orders, most recent first; with `within`, only those placed in that UTC
    [start, end)."""
    query = select(Order).where(Order.customer_id == customer.id)
    if within is not None:
        query = query.where(Order.placed_at >= within[0], Order.placed_at < within[1])
    return list(
        uow.session.scalars(query.order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit))
    )


def spent_within(
    uow: UnitOfWork, customer: Customer, within: tuple[datetime, datetime]
) -> tuple[int, Decimal]:
    """How many orders the customer placed in the UTC [start, end), and what the ones kept
    (not cancelled or returned) add up to."""
    start, end = within
    kept = Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.RETURNED))
    count, total = uow.session.execute(
        select(
            func.count(Order.id),
            func.coalesce(func.sum(case((kept, Order.total), else_=0)), 0),
        ).where(Order.customer_id == customer.id, Order.placed_at >= start, Order.placed_at < end)
    ).one()
    return int(count or 0), to_money(total or 0)


def change_order_status(
    uow: UnitOfWork,
    order: Order,
    status: str | OrderStatus,
    *,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Order:
    """Move an order to a new status, keeping the history; no-op when unchanged."""
    new_status = order_status(status)
    before = snapshot(order)
    if carrier:
        order.carrier = carrier
    if tracking_number:
        order.tracking_number = tracking_number
    if new_status is order.status and not (carrier or tracking_number):
        return order
    if new_status is not order.status:
        order.history.append(
            OrderStatusChange(
                from_status=order.status,
                to_status=new_status,
                changed_by=uow.actor.ref,
            )
        )
        order.status = new_status
        notify_customer(
            uow, order.customer, "order_status", order=order.number, status=new_status.value
        )
    uow.audit("order.status", order, before)
    return order


def notify_customer(uow: UnitOfWork, customer: Customer | None, kind: str, **about: str) -> None:
    """Queue a service message (not marketing) about the customer's own order or ticket.

    Only for customers on LINE who still follow the account; the worker renders the card
    from the row's current state when it delivers.
    """
    if customer is None or not customer.line_user_id or not customer.line_followed:
        return
    outbox.enqueue(uow, kind=kind, platform="line", target=customer.line_user_id, payload=about)


def upsert_order(
    uow: UnitOfWork,
    number: str,
    customer: Customer,
    *,
    status: str | OrderStatus | None,
    total: Decimal | str | None,
    placed_at: datetime | None,
    carrier: str | None,
    tracking_number: str | None,
) -> tuple[Order, bool]:
    """Create an order or update it by number; returns (order, created)."""
    number = order_number(number)
    existing = uow.session.scalar(select(Order).where(Order.number == number))
    if existing is None:
        order = Order(
            number=number,
            customer_id=customer.id,
            status=order_status(status or OrderStatus.PENDING),
            total=to_money(total or 0),
            placed_at=placed_at or utcnow(),
            carrier=carrier,
            tracking_number=tracking_number,
        )
        uow.session.add(order)
        uow.session.flush()
        order.history.append(
            OrderStatusChange(
                from_status=None,
                to_status=order.status,
                changed_by=uow.actor.ref,
            )
        )
        uow.audit("order.create", order, None)
        return order, True
    before = snapshot(existing)
    existing.customer_id = customer.id
    if total is not None:
        existing.total = to_money(total)
    if placed_at is not None:
        existing.placed_at = placed_at
    uow.audit("order.update", existing, before)
    if status is not None:
        change_order_status(uow, existing, status, carrier=carrier, tracking_number=tracking_number)
    else:
        existing.carrier = carrier or existing.carrier
        existing.tracking_number = tracking_number or existing.tracking_number
    return existing, False
