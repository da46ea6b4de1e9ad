"""Unit of work: one transaction per business operation, with the actor for the audit log."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker

from crm_core.models import AuditEntry, Base


@dataclass(frozen=True)
class Actor:
    """Who causes a change and through which channel (slack, line, cli, console, system)."""

    ref: str
    channel: str

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "system")

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", "cli")


class UnitOfWork:
    """`with uow: ...; uow.commit()`; leaving the block without commit rolls back."""

    session: Session

    def __init__(self, session_factory: sessionmaker[Session], actor: Actor | None = None):
        self._factory = session_factory
        self.actor = actor or Actor.system()

    def __enter__(self) -> Self:
        self.session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def as_actor(self, actor: Actor) -> UnitOfWork:
        """A fresh unit of work on the same store acting for someone else."""
        return UnitOfWork(self._factory, actor)

    def audit(
        self,
        action: str,
        entity: Base,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Record one mutation; `after` defaults to the entity's current columns.

        A change that changed nothing is not a mutation and leaves no row.
        """
        self.session.flush()
        after = snapshot(entity) if after is None else after
        if before is not None and before == after:
            return
        ident = inspect(entity).identity
        self.session.add(
            AuditEntry(
                actor=self.actor.ref,
                channel=self.actor.channel,
                action=action,
                entity_type=type(entity).__tablename__,
                entity_id=":".join(str(v) for v in ident or ()),
                before=before,
                after=after,
            )
        )


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(entity: Base) -> dict[str, Any]:
    """Column values of an entity as JSON-ready data (for audit before/after)."""
    mapper = inspect(type(entity))
    return {col.key: _plain(getattr(entity, col.key)) for col in mapper.column_attrs}
