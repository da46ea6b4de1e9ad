"""Undoing one staff action: whole or not at all, a new customer only with nothing else on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from crm_core.db import Store
from crm_core.models import Customer, Deal, Staff, Task, Ticket
from crm_core.services import activities, deals, tickets, undo
from crm_core.services.customers import CustomerInput, create_customer
from crm_core.services.staff import add_staff
from crm_core.uow import Actor, UnitOfWork

REP = Actor("slack:U_REP", "slack")


def _count(store: Store, model: type) -> int:
    with store.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _action(store: Store, do: Callable[[UnitOfWork], None]) -> list[int]:
    """Run one action as the rep and return its audit rows."""
    with store.uow(REP) as uow:
        marker = undo.audit_marker(uow)
        do(uow)
        ids = undo.audit_ids_since(uow, marker)
        uow.commit()
    return ids


@pytest.fixture
def rep_id(store: Store) -> int:
    with store.uow(Actor.cli()) as uow:
        rep = add_staff(uow, "U_REP", "Somchai", "sales")
        uow.commit()
        return rep.id


def _new_customer(uow: UnitOfWork) -> Customer:
    customer = create_customer(uow, CustomerInput(name="Bangkok Bikes"), source=REP.ref)
    uow.session.flush()
    return customer


def test_a_customer_added_with_a_deal_is_undone_with_it(store: Store, rep_id: int) -> None:
    def add(uow: UnitOfWork) -> None:
        deals.create_deal(uow, _new_customer(uow), "Bikes", owner=None, amount="50000")

    ids = _action(store, add)
    with store.uow(REP) as uow:
        assert undo.undo_last(uow, ids) == ["deal.create", "customer.create"]
        uow.commit()
    assert (_count(store, Customer), _count(store, Deal)) == (0, 0)


def test_a_new_customer_something_else_refers_to_stays(store: Store, rep_id: int) -> None:
    ids = _action(store, _new_customer)
    with store.uow(Actor.cli()) as uow:
        bikes = uow.session.scalars(select(Customer)).one()
        tickets.create_ticket(uow, "Chain broke", customer=bikes, channel="line")
        uow.commit()
    with store.uow(REP) as uow, pytest.raises(undo.NothingToUndo):
        undo.undo_last(uow, ids)
    assert (_count(store, Customer), _count(store, Ticket)) == (1, 1)


def test_an_action_with_a_part_that_cannot_be_undone_is_left_whole(
    store: Store, rep_id: int
) -> None:
    def add(uow: UnitOfWork) -> None:
        customer = _new_customer(uow)
        rep = uow.session.get_one(Staff, rep_id)
        activities.create_task(uow, rep, "Call back", customer=customer)
        tickets.create_ticket(uow, "Printer", customer=customer, channel="slack")

    ids = _action(store, add)
    with store.uow(REP) as uow, pytest.raises(undo.NothingToUndo):
        undo.undo_last(uow, ids)
    # the task and the customer that could have gone are still there: nothing half undone
    assert (_count(store, Customer), _count(store, Task), _count(store, Ticket)) == (1, 1, 1)
