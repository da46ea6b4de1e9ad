"""Knowledge base of FAQ entries that staff keep and customers ask about."""

from __future__ import annotations

from sqlalchemy import select

from crm_core.errors import InvalidValue
from crm_core.models import KnowledgeEntry
from crm_core.uow import UnitOfWork, snapshot


def upsert_entry(
    uow: UnitOfWork, key: str, questions: list[str], answer_th: str, answer_en: str
) -> KnowledgeEntry:
    """Add an FAQ entry or replace the one with the same key."""
    questions = [q.strip() for q in questions if q.strip()]
    if not key.strip() or not questions:
        raise InvalidValue("an FAQ entry needs a key and at least one question")
    if not answer_th.strip() and not answer_en.strip():
        raise InvalidValue("an FAQ entry needs an answer")
    entry = entry_by_key(uow, key)
    before = snapshot(entry) if entry else None
    if entry is None:
        entry = KnowledgeEntry(key=key.strip())
        uow.session.add(entry)
    entry.questions = questions
    entry.answer_th = answer_th.strip() or answer_en.strip()
    entry.answer_en = answer_en.strip() or answer_th.strip()
    entry.updated_by = uow.actor.ref
    uow.audit("faq.upsert", entry, before)
    return entry


def entry_by_key(uow: UnitOfWork, key: str) -> KnowledgeEntry | None:
    """The entry with this key, if there is one."""
    return uow.session.scalar(select(KnowledgeEntry).where(KnowledgeEntry.key == key))


def list_entries(uow: UnitOfWork) -> list[KnowledgeEntry]:
    """Every FAQ entry, by key."""
    return list(uow.session.scalars(select(KnowledgeEntry).order_by(KnowledgeEntry.key)))
