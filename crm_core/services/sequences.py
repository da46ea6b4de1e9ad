"""Human-facing running numbers (TCK-2001, ORD-3001) drawn atomically from the store."""

from __future__ import annotations

from sqlalchemy import select, update

from crm_core.models import NumberSequence
from crm_core.uow import UnitOfWork

STARTS = {"ticket": 2001, "order": 3001}


def next_number(uow: UnitOfWork, name: str) -> int:
    """Take the next value of a named counter inside the caller's transaction."""
    result = uow.session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(next_value=NumberSequence.next_value + 1)
        .returning(NumberSequence.next_value)
    ).scalar_one_or_none()
    if result is not None:
        return int(result) - 1
    start = STARTS.get(name, 1)
    uow.session.add(NumberSequence(name=name, next_value=start + 1))
    uow.session.flush()
    return start


def peek(uow: UnitOfWork, name: str) -> int:
    """The value next_number would return, without taking it."""
    value = uow.session.scalar(select(NumberSequence.next_value).where(NumberSequence.name == name))
    return int(value) if value is not None else STARTS.get(name, 1)
