"""Who may do what: one table of intent x role."""

from __future__ import annotations

STAFF_ROLES = ("sales", "support", "manager", "admin")
CONVERSATION = frozenset(
    {"greeting", "thanks", "help", "cancel", "confirm", "deny", "faq", "out_of_scope"}
)
PUBLIC = CONVERSATION | {"link_account", "handoff", "consent_update"}
# customer_lookup: a customer's own details, and changing their own phone or email
CUSTOMER = PUBLIC | {
    "customer_lookup",
    "order_status",
    "ticket_create",
    "ticket_status",
    "loyalty_balance",
    "loyalty_history",
    "loyalty_redeem",
}
STAFF_COMMON = CONVERSATION | {
    "customer_lookup",
    "customer_create",
    "log_interaction",
    "task_create",
    "order_status",
    "ticket_create",
    "ticket_status",
    "loyalty_balance",
    "loyalty_history",
    "link_account",
    # a customer's opt-out that staff were told of (an opt-in must come from the customer)
    "consent_update",
}
# ticket_update: only the tickets handed to the rep (see actions.ticket_update)
SALES = STAFF_COMMON | {"deal_create", "deal_update", "deal_list", "report", "ticket_update"}
# order_update: Slack order card; report: the tickets report only (see actions.ROLE_REPORTS)
SUPPORT = STAFF_COMMON | {"ticket_update", "order_update", "report"}
MANAGER = SALES | SUPPORT | {"campaign_send", "loyalty_adjust"}

PERMISSIONS: dict[str, frozenset[str]] = {
    "lead": frozenset(PUBLIC),
    "customer": frozenset(CUSTOMER),
    "sales": frozenset(SALES),
    "support": frozenset(SUPPORT),
    "manager": frozenset(MANAGER),
    "admin": frozenset(MANAGER | {"loyalty_redeem"}),
}


def allowed(role: str, intent: str) -> bool:
    """True when `role` may use `intent`."""
    return intent in PERMISSIONS.get(role, frozenset())
