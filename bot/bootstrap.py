"""Build the bot from settings (never at import time)."""

from __future__ import annotations

from bot.engine import Bot
from bot.settings import Settings
from crm_core import migrate
from crm_core.db import Store


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
    bot.parse("สวัสดี hello")
    return bot
