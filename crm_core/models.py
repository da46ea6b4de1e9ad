"""SQLAlchemy 2.0 models of the CRM store."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crm_core.types import Money, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names stable across SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), Decimal: Money()}


def _enum(cls: type[enum.Enum], name: str | None = None) -> Enum:
    """Store an enum by its value as a portable VARCHAR with a named CHECK constraint."""
    return Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        create_constraint=True,
        length=20,
        name=name or cls.__name__.lower(),
        validate_strings=True,
    )


class Role(enum.StrEnum):
    SALES = "sales"
    SUPPORT = "support"
    MANAGER = "manager"
    ADMIN = "admin"


class Lifecycle(enum.StrEnum):
    LEAD = "lead"
    CUSTOMER = "customer"


class Tier(enum.StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class InteractionType(enum.StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    VISIT = "visit"
    CHAT = "chat"
    NOTE = "note"


class Stage(enum.StrEnum):
    LEAD = "lead"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class LedgerKind(enum.StrEnum):
    OPENING = "opening"
    EARN = "earn"
    REDEEM = "redeem"
    ADJUST = "adjust"
    EXPIRE = "expire"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # withdrawn before sending: the change it announced was undone
    CANCELLED = "cancelled"


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    company: Mapped[str | None] = mapped_column(String(200))
    member_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    tier: Mapped[Tier] = mapped_column(_enum(Tier), default=Tier.BRONZE)
    line_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    line_followed: Mapped[bool] = mapped_column(Boolean, default=True)
    # when LINE says the latest follow or unfollow that was applied happened
    line_follow_at: Mapped[datetime | None]
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None]
    consent_source: Mapped[str | None] = mapped_column(String(40))
    lifecycle: Mapped[Lifecycle] = mapped_column(_enum(Lifecycle), default=Lifecycle.CUSTOMER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    aliases: Mapped[list[CustomerAlias]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerAlias.id"
    )

    @property
    def alias_names(self) -> list[str]:
        return [a.alias for a in self.aliases]


class CustomerAlias(Base):
    __tablename__ = "customer_aliases"
    __table_args__ = (UniqueConstraint("customer_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200), index=True)

    customer: Mapped[Customer] = relationship(back_populates="aliases")


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_when", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    type: Mapped[InteractionType] = mapped_column(_enum(InteractionType))
    note: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    stage: Mapped[Stage] = mapped_column(_enum(Stage), default=Stage.LEAD, index=True)
    close_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()
    owner: Mapped[Staff | None] = relationship()
    history: Mapped[list[DealStageChange]] = relationship(
        back_populates="deal", order_by="DealStageChange.id"
    )


class DealStageChange(Base):
    __tablename__ = "deal_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[Stage | None] = mapped_column(_enum(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(_enum(Stage, "to_stage"))
    amount: Mapped[Decimal]
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # why, as told ("went with a competitor"): kept with a move to won or lost
    reason: Mapped[str | None] = mapped_column(String(300))

    deal: Mapped[Deal] = relationship(back_populates="history")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_owner_open_due", "owner_id", "done", "due_date"),
        # the daily reminder job looks for every open task due on one day, whoever owns it
        Index("ix_tasks_due_open", "due_date", "done"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer | None] = relationship()
    owner: Mapped[Staff] = relationship()


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint("total >= 0", name="total_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(
        _enum(OrderStatus), default=OrderStatus.PENDING, index=True
    )
    total: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    history: Mapped[list[OrderStatusChange]] = relationship(
        back_populates="order", order_by="OrderStatusChange.id"
    )


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal]

    order: Mapped[Order] = relationship(back_populates="items")


class OrderStatusChange(Base):
    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(_enum(OrderStatus, "from_status"))
    to_status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus, "to_status"))
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="history")


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_status_sla", "status", "sla_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.NORMAL)
    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus), default=TicketStatus.OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    sla_due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer | None] = relationship()
    assignee: Mapped[Staff | None] = relationship()
    history: Mapped[list[TicketStatusChange]] = relationship(
        back_populates="ticket", order_by="TicketStatusChange.id"
    )
    notes: Mapped[list[TicketNote]] = relationship(
        back_populates="ticket", order_by="TicketNote.id", passive_deletes=True
    )


class TicketNote(Base):
    """A remark staff left on a ticket ("ลูกค้าโทรมาตามอีกรอบ"); staff see it, customers do not."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="notes")
    author: Mapped[Staff | None] = relationship()


class TicketStatusChange(Base):
    __tablename__ = "ticket_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[TicketStatus | None] = mapped_column(_enum(TicketStatus, "from_status"))
    to_status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus, "to_status"))
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="history")


class PointsEntry(Base):
    """One row of the append-only loyalty ledger; a balance is the sum of a customer's rows."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        Index("ix_points_ledger_customer_id", "customer_id", "id"),
        CheckConstraint("delta <> 0", name="delta_not_zero"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    delta: Mapped[int] = mapped_column(Integer)
    kind: Mapped[LedgerKind] = mapped_column(_enum(LedgerKind))
    reason: Mapped[str] = mapped_column(String(300), default="")
    reference: Mapped[str | None] = mapped_column(String(80))
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Reward(Base):
    __tablename__ = "rewards"
    __table_args__ = (
        CheckConstraint("points_cost > 0", name="cost_positive"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    points_cost: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    image_url: Mapped[str | None] = mapped_column(String(500))


class TierRule(Base):
    """A tier is reached when points earned in the last 12 months reach min_points."""

    __tablename__ = "tier_rules"

    tier: Mapped[Tier] = mapped_column(_enum(Tier), primary_key=True)
    min_points: Mapped[int] = mapped_column(Integer)
    earn_percent: Mapped[int] = mapped_column(Integer, default=100)


class KnowledgeEntry(Base):
    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer_th: Mapped[str] = mapped_column(Text)
    answer_en: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(80), default="system")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ProcessedEvent(Base):
    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(10))
    event_id: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationState(Base):
    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    platform: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class LinkCode(Base):
    """A one-time code staff issue so a LINE user can prove who they are."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    issued_by: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class NumberSequence(Base):
    """Counters behind human-facing numbers such as TCK-2001."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)


class Handoff(Base):
    """A LINE conversation a person from staff has taken over, mirrored in a Slack thread."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_open", "line_user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    lang: Mapped[str] = mapped_column(String(2), default="th")
    channel: Mapped[str] = mapped_column(String(40))
    thread_ts: Mapped[str | None] = mapped_column(String(40), index=True)
    transcript: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(80))
