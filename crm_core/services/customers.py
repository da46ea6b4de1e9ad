"""Customers: create, find, link to LINE, marketing consent, names for the resolver."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from crm_core.errors import CustomerNotFound, DuplicateCustomer, InvalidValue
from crm_core.models import AuditEntry, Customer, CustomerAlias, Lifecycle, Tier
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork, snapshot

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MEMBER_ID = re.compile(r"^M-\d+$")


def normalise_phone(raw: str) -> str:
    """Thai phone in national digits form: '+66 81-234-5678' -> '0812345678'."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    if not (digits.startswith("0") and len(digits) in (9, 10)):
        raise InvalidValue(f"not a Thai phone number: {raw!r}")
    return digits


@dataclass
class CustomerInput:
    """Fields a new or imported customer may carry."""

    name: str
    phone: str | None = None
    email: str | None = None
    company: str | None = None
    member_id: str | None = None
    tier: str | None = None
    line_user_id: str | None = None
    aliases: list[str] = field(default_factory=list)
    marketing_consent: bool | None = None
    lifecycle: str = Lifecycle.CUSTOMER.value

    def validated(self) -> CustomerInput:
        """A copy with normalised fields; raises InvalidValue on the first bad field."""
        name = self.name.strip()
        if not name:
            raise InvalidValue("name is required")
        phone = normalise_phone(self.phone) if self.phone and self.phone.strip() else None
        email = (self.email or "").strip().lower() or None
        if email and not EMAIL.match(email):
            raise InvalidValue(f"not an email address: {self.email!r}")
        member_id = (self.member_id or "").strip().upper() or None
        if member_id and not MEMBER_ID.match(member_id):
            raise InvalidValue(f"member_id must look like M-10001: {self.member_id!r}")
        tier = (self.tier or "").strip().lower() or None
        if tier and tier not in {t.value for t in Tier}:
            raise InvalidValue(f"unknown tier {self.tier!r}")
        if self.lifecycle not in {lc.value for lc in Lifecycle}:
            raise InvalidValue(f"unknown lifecycle {self.lifecycle!r}")
        aliases = [a.strip() for a in self.aliases if a.strip() and a.strip() != name]
        return CustomerInput(
            name=name,
            phone=phone,
            email=email,
            company=(self.company or "").strip() or None,
            member_id=member_id,
            tier=tier,
            line_user_id=(self.line_user_id or "").strip() or None,
            aliases=list(dict.fromkeys(aliases)),
            marketing_consent=self.marketing_consent,
            lifecycle=self.lifecycle,
        )


def _check_unique(uow: UnitOfWork, data: CustomerInput, exclude_id: int | None) -> None:
    for column, value in (
        (Customer.phone, data.phone),
        (Customer.member_id, data.member_id),
        (Customer.line_user_id, data.line_user_id),
    ):
        if value is None:
            continue
        other = uow.session.scalar(select(Customer.id).where(column == value))
        if other is not None and other != exclude_id:
            raise DuplicateCustomer(column.key, value, other)


def _apply(uow: UnitOfWork, customer: Customer, data: CustomerInput, source: str) -> None:
    customer.name = data.name
    for attr in ("phone", "email", "company", "member_id", "line_user_id"):
        value = getattr(data, attr)
        if value is not None:
            setattr(customer, attr, value)
    if data.tier:
        customer.tier = Tier(data.tier)
    if data.line_user_id:
        customer.line_followed = True
    if data.marketing_consent is not None and data.marketing_consent != customer.marketing_consent:
        customer.marketing_consent = data.marketing_consent
        customer.consent_at = utcnow()
        customer.consent_source = source
    known = set(customer.alias_names)
    for alias in data.aliases:
        if alias not in known:
            customer.aliases.append(CustomerAlias(alias=alias))


def create_customer(uow: UnitOfWork, data: CustomerInput, *, source: str = "staff") -> Customer:
    """Create a customer; duplicates by phone, member id or LINE id are refused."""
    clean = data.validated()
    _check_unique(uow, clean, None)
    customer = Customer(
        name=clean.name,
        lifecycle=Lifecycle(clean.lifecycle),
        tier=Tier.BRONZE,
        marketing_consent=False,
        line_followed=True,
        aliases=[],
    )
    _apply(uow, customer, clean, source)
    uow.session.add(customer)
    uow.audit("customer.create", customer, None)
    return customer


def update_customer(
    uow: UnitOfWork, customer: Customer, data: CustomerInput, *, source: str = "staff"
) -> Customer:
    """Overwrite the given fields of an existing customer (blank fields are kept)."""
    clean = data.validated()
    _check_unique(uow, clean, customer.id)
    before = snapshot(customer)
    _apply(uow, customer, clean, source)
    uow.audit("customer.update", customer, before)
    return customer


def find_existing(uow: UnitOfWork, data: CustomerInput) -> Customer | None:
    """The customer an import row refers to: by member id, then phone, then LINE id."""
    for column, value in (
        (Customer.member_id, data.member_id),
        (Customer.phone, data.phone),
        (Customer.line_user_id, data.line_user_id),
    ):
        if value:
            found = uow.session.scalar(select(Customer).where(column == value))
            if found is not None:
                return found
    return None


def get_customer(uow: UnitOfWork, customer_id: int) -> Customer:
    """A customer by id, with aliases loaded."""
    customer = uow.session.get(Customer, customer_id, options=[selectinload(Customer.aliases)])
    if customer is None:
        raise CustomerNotFound(customer_id)
    return customer


def customer_by_reference(uow: UnitOfWork, ref: str) -> Customer:
    """A customer by member id, phone or exact name (case-insensitive), as CSV files refer."""
    ref = ref.strip()
    if not ref:
        raise CustomerNotFound(ref)
    member_id = ref if MEMBER_ID.match(ref.upper()) else None
    found = customer_by_contact(uow, member_id=member_id, phone=ref)
    if found is not None:
        return found
    matches = list(
        uow.session.scalars(
            select(Customer).where(func.lower(Customer.name) == ref.lower()).limit(2)
        )
    )
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise InvalidValue(f"customer name {ref!r} is not unique; use member_id or phone")
    raise CustomerNotFound(ref)


CONTACT_FIELDS = ("member_id", "phone", "email")


def contact_details(values: Mapping[str, object]) -> dict[str, str]:
    """The member id, phone and email among slot values, as text (those that are set)."""
    return {k: str(values[k]) for k in CONTACT_FIELDS if values.get(k)}


def customer_by_contact(
    uow: UnitOfWork,
    *,
    member_id: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> Customer | None:
    """The customer with this member id, else this phone number, else this email address
    (only when one customer has it); None when none matches."""
    if member_id:
        found = uow.session.scalar(
            select(Customer).where(Customer.member_id == member_id.strip().upper())
        )
        if found is not None:
            return found
    if phone:
        try:
            number = normalise_phone(phone)
        except InvalidValue:
            number = None
        if number is not None:
            found = uow.session.scalar(select(Customer).where(Customer.phone == number))
            if found is not None:
                return found
    if email:
        matches = list(
            uow.session.scalars(
                select(Customer).where(func.lower(Customer.email) == email.strip().lower()).limit(2)
            )
        )
        if len(matches) == 1:
            return matches[0]
    return None


def customer_by_line_user(uow: UnitOfWork, line_user_id: str) -> Customer | None:
    """The customer linked to a LINE user, if any."""
    return uow.session.scalar(select(Customer).where(Customer.line_user_id == line_user_id))


def link_line_user(uow: UnitOfWork, customer: Customer, line_user_id: str) -> Customer:
    """Attach a LINE user to a customer (a LINE user belongs to one customer only).

    When the LINE user is still a lead (their follow created one), the lead folds into the
    customer: its newer consent answer carries over and the lead row goes away, or stays
    detached from LINE when other rows refer to it.
    """
    other = customer_by_line_user(uow, line_user_id)
    if other is not None and other.id != customer.id:
        if other.lifecycle is not Lifecycle.LEAD:
            raise DuplicateCustomer("line_user_id", line_user_id, other.id)
        _merge_lead(uow, other, customer)
    before = snapshot(customer)
    customer.line_user_id = line_user_id
    customer.line_followed = True
    if customer.lifecycle is Lifecycle.LEAD:
        customer.lifecycle = Lifecycle.CUSTOMER
    uow.audit("customer.link_line", customer, before)
    return customer


def _merge_lead(uow: UnitOfWork, lead: Customer, customer: Customer) -> None:
    before = snapshot(lead)
    if lead.consent_at is not None and (
        customer.consent_at is None or lead.consent_at > customer.consent_at
    ):
        customer.marketing_consent = lead.marketing_consent
        customer.consent_at = lead.consent_at
        customer.consent_source = lead.consent_source
    lead.line_user_id = None
    lead.line_followed = False
    uow.audit("customer.merge_lead", lead, before, {"merged_into": customer.id})
    savepoint = uow.session.begin_nested()  # flushes the released LINE id first
    try:
        uow.session.delete(lead)
        uow.session.flush()
    except IntegrityError:
        savepoint.rollback()  # something refers to the lead: keep it, detached from LINE
    else:
        savepoint.commit()


def set_marketing_consent(
    uow: UnitOfWork, customer: Customer, consent: bool, *, source: str
) -> Customer:
    """Record an opt-in or opt-out with its time and source (PDPA)."""
    before = snapshot(customer)
    customer.marketing_consent = consent
    customer.consent_at = utcnow()
    customer.consent_source = source
    uow.audit("customer.consent", customer, before)
    return customer


@dataclass(frozen=True)
class CustomerNameRow:
    """A customer's names for mention resolution."""

    id: int
    name: str
    aliases: tuple[str, ...]


def iter_customer_names(uow: UnitOfWork, batch: int = 5000) -> Iterator[CustomerNameRow]:
    """Every customer's name and aliases, streamed in id order."""
    aliases: dict[int, list[str]] = {}
    for cid, alias in uow.session.execute(
        select(CustomerAlias.customer_id, CustomerAlias.alias).order_by(CustomerAlias.id)
    ):
        aliases.setdefault(cid, []).append(alias)
    rows = uow.session.execute(
        select(Customer.id, Customer.name).order_by(Customer.id).execution_options(yield_per=batch)
    )
    for cid, name in rows:
        yield CustomerNameRow(cid, name, tuple(aliases.get(cid, ())))


LINK_FAILED = "link.failed"


def record_link_failure(uow: UnitOfWork, line_user_id: str) -> None:
    """Remember a failed attempt to link a LINE user (for rate limiting)."""
    uow.session.add(
        AuditEntry(
            actor=uow.actor.ref,
            channel=uow.actor.channel,
            action=LINK_FAILED,
            entity_type="line_users",
            entity_id=line_user_id[:40],
            before=None,
            after=None,
        )
    )


def link_failures_since(uow: UnitOfWork, line_user_id: str, since: datetime) -> int:
    """Failed link attempts of a LINE user since a moment."""
    return int(
        uow.session.scalar(
            select(func.count()).where(
                AuditEntry.action == LINK_FAILED,
                AuditEntry.entity_id == line_user_id[:40],
                AuditEntry.created_at >= since,
            )
        )
        or 0
    )
