"""Build the bot from settings (never at import time)."""

from __future__ import annotations

from bot.engine import Bot
from bot.settings import Settings
from crm_core import migrate
from crm_core.db import Store
from intents import ParseContext
from intents.parser import warm


def build_bot(settings: Settings | None = None, *, database_url: str | None = None) -> Bot:
    """A ready bot on the configured store: migrated, name index and tokeniser warmed."""
    settings = settings or Settings()
    store = Store(database_url or settings.database_url)
    migrate.upgrade(store.engine)
    bot = Bot(
        store,
        timezone=settings.timezone,
        support_channel=settings.support_channel,
        manager_channel=settings.manager_channel,
    )
    # the same warm-up as `khui bench parse` measures: dictionaries, model and name index
    # loaded, and the long-lived objects kept out of the cyclic collector
    warm(ParseContext(now=bot.clock(), timezone=str(bot.tz), customers=bot.customers()))
    return bot
