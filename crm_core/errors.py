"""Typed domain errors raised by crm_core services."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(DomainError):
    """An entity the caller named does not exist (or is not theirs to see)."""

    entity = "entity"

    def __init__(self, key: object) -> None:
        super().__init__(f"{self.entity} not found: {key}")
        self.key = key


class CustomerNotFound(NotFound):
    entity = "customer"


class StaffNotFound(NotFound):
    entity = "staff"


class DealNotFound(NotFound):
    entity = "deal"


class OrderNotFound(NotFound):
    entity = "order"


class TicketNotFound(NotFound):
    entity = "ticket"


class TaskNotFound(NotFound):
    entity = "task"


class RewardNotFound(NotFound):
    entity = "reward"


class PermissionDenied(DomainError):
    """The actor may not perform this action."""


class InvalidValue(DomainError):
    """A field value is malformed or outside its allowed set."""


class DuplicateCustomer(DomainError):
    """A customer with the same phone or member id already exists."""

    def __init__(self, field: str, value: str, existing_id: int) -> None:
        super().__init__(f"customer with {field} {value} already exists (id {existing_id})")
        self.field = field
        self.value = value
        self.existing_id = existing_id


class InsufficientPoints(DomainError):
    """A redemption or deduction would take the balance below zero."""

    def __init__(self, balance: int, requested: int) -> None:
        super().__init__(f"insufficient points: balance {balance}, requested {requested}")
        self.balance = balance
        self.requested = requested


class OutOfStock(DomainError):
    """The reward has no stock left."""


class InvalidTransition(DomainError):
    """A status or stage change that the workflow does not allow."""


class ImportFailed(DomainError):
    """A CSV import found bad rows; nothing was written."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {n}: {why}" for n, why in problems))
        self.problems = problems
