"""Every intent for every role: allowed ones run their action, the rest are refused politely."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.permissions import PERMISSIONS
from bot.replies import say
from crm_core.db import Store
from crm_core.models import AuditEntry
from tests.conftest import truncate_all
from tests.e2e.world import World, build_world

# One clear message per intent; a second one where staff and customers phrase it differently.
MESSAGES: dict[str, tuple[str, str]] = {
    "greeting": ("hello there", "hello there"),
    "thanks": ("thank you so much", "thank you so much"),
    "help": ("what can you do?", "what can you do?"),
    "cancel": ("cancel", "cancel"),
    "confirm": ("yes", "yes"),
    "deny": ("no", "no"),
    "customer_lookup": ("show me customer Acme Trading", "my account details"),
    "customer_create": ("add a new customer Lotus Garden", "add a new customer Lotus Garden"),
    "log_interaction": ("called Siam Paper, they want a quote",) * 2,
    "deal_create": ("new deal with Siam Paper 120k", "new deal with Siam Paper 120k"),
    "deal_update": ("moved the Acme Trading deal to negotiation",) * 2,
    "deal_list": ("show my open deals", "show my open deals"),
    "task_create": ("remind me to call Acme Trading tomorrow",) * 2,
    "ticket_create": ("open a ticket for Acme Trading: printer broken", "my parcel arrived broken"),
    "ticket_update": ("TCK-2001 fixed, close it", "TCK-2001 fixed, close it"),
    "ticket_status": ("what's the status of TCK-2001", "what's the status of TCK-2001"),
    "order_status": ("where is order ORD-3001", "where is my order ORD-3001"),
    "loyalty_balance": ("how many points does Malee Wong have", "how many points do I have"),
    "loyalty_history": ("points history of Malee Wong", "show my points history"),
    "loyalty_redeem": ("redeem points for Malee Wong", "I want to redeem my points"),
    "loyalty_adjust": ("add 500 points to Malee Wong as goodwill",) * 2,
    "report": ("sales report this month", "sales report this month"),
    "handoff": ("I want to talk to a human agent", "I want to talk to a human agent"),
    "link_account": ("link code for Malee Wong", "link my account"),
    "faq": ("what are your opening hours?", "what are your opening hours?"),
    "consent_update": ("unsubscribe Acme Trading from marketing", "stop sending me promotions"),
    "campaign_send": ("send platinum customers a message: double points this week",) * 2,
    "out_of_scope": ("what's the weather in Paris", "what's the weather in Paris"),
}

ROLES = {
    "lead": "customer:U_NEW_VISITOR",
    "customer": "customer:U_LINE_SOMSRI",
    "sales": "staff:U_SALES",
    "support": "staff:U_SUPPORT",
    "manager": "staff:U_MANAGER",
    "admin": "staff:U_ADMIN",
}

CASES = [(role, intent) for role in ROLES for intent in MESSAGES]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per store for the whole matrix (each case uses its own fresh conversation)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("matrix") / "khui.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        store = Store(f"sqlite:///{path}")
    else:
        store = Store(request.getfixturevalue("postgres_url"))
        truncate_all(store)
    yield build_world(store)
    store.dispose()


def _audit_rows(store: Store) -> int:
    with store.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_the_table_covers_every_intent() -> None:
    from intents.lexicon import load_lexicon

    assert set(MESSAGES) == set(load_lexicon().intents) | {"out_of_scope"}


@pytest.mark.parametrize(("role", "intent"), CASES, ids=[f"{r}-{i}" for r, i in CASES])
def test_intent_for_role(shared_world: World, role: str, intent: str) -> None:
    staff_text, customer_text = MESSAGES[intent]
    text = staff_text if role in ("sales", "support", "manager", "admin") else customer_text
    session = shared_world.session(ROLES[role])
    session.send("cancel")  # leave whatever an earlier case left pending
    # and the staff a customer's cancel offers ("yes" next would take it)
    session.send("thanks")
    before = _audit_rows(shared_world.store)
    reply = session.send(text)
    assert reply.intent == intent, f"{text!r} parsed as {reply.intent}"
    refusal = {say(k, "en") for k in ("not_allowed", "not_allowed_lead", "not_allowed_customer")}
    if intent in PERMISSIONS[role]:
        assert reply.text not in refusal
        assert reply.text.strip()
    else:
        assert reply.text in refusal
        assert _audit_rows(shared_world.store) == before
