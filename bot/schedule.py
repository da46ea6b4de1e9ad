"""Scheduled jobs of `khui worker`: the managers' daily digest and "task due today" DMs.

Every job of a local day becomes due when the local time in KHUI_TIMEZONE reaches
KHUI_DIGEST_TIME and stays due until local midnight: a worker that starts late still sends
that day's messages, and never the day before's. A job is one outbox row whose dedupe key
names the job and the day, queued in a transaction of its own; when several workers race,
the unique dedupe key lets one row through and the others skip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.replies import day, money, say
from bot.settings import Settings
from crm_core import reports
from crm_core.db import Store
from crm_core.errors import InvalidValue
from crm_core.models import Customer, OutboxMessage, Staff, Task
from crm_core.services import outbox
from crm_core.uow import UnitOfWork

# Managers and staff read Thai by default; Slack staff have no language of their own yet.
LANG = "th"
MAX_TASKS = 20
# the action of a task reminder's "done" button (the Slack adapter marks that task done)
TASK_DONE_ACTION = "khui:task_done"
TEXT_LIMIT = 3900
SECTION_LIMIT = 3000
HEADER_LIMIT = 150

Block = dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """One Slack message to queue: what it is about, where it goes, text and blocks."""

    kind: str
    target: str
    text: str
    blocks: tuple[Block, ...]

    def payload(self) -> dict[str, Any]:
        """The outbox payload the worker posts with chat.postMessage."""
        return {"text": self.text, "lang": LANG, "blocks": list(self.blocks)}


def run_due(store: Store, settings: Settings, now: datetime) -> list[str]:
    """Queue the jobs due at `now` that are not queued yet; one description per queued row."""
    if now.tzinfo is None:
        raise InvalidValue("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.time() < time.fromisoformat(settings.digest_time):
        return []
    today = local.date()
    queued: list[str] = []
    if settings.manager_channel:
        channel = settings.manager_channel
        key = f"digest:{today.isoformat()}"
        digest = partial(_digest_notice, now=now, settings=settings, channel=channel)
        if _queue_once(store, key, digest) is not None:
            queued.append(f"{key} -> {channel}")
    for staff_id, slack_user_id in _owners_to_remind(store, today):
        key = f"tasks_due:{slack_user_id}:{today.isoformat()}"
        tasks = partial(_tasks_notice, staff_id=staff_id, slack_user_id=slack_user_id, today=today)
        if _queue_once(store, key, tasks) is not None:
            queued.append(f"{key} -> {slack_user_id}")
    return queued


def _queued(uow: UnitOfWork, key: str) -> bool:
    found = uow.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key))
    return found is not None


def _queue_once(
    store: Store, key: str, build: Callable[[UnitOfWork], Notice | None]
) -> Notice | None:
    """Build and queue one notice under `key` unless it is queued; None when nothing was."""
    try:
        with store.uow() as uow:
            # Checked before building, so a loop after the job ran costs one indexed lookup.
            if _queued(uow, key):
                return None
            notice = build(uow)
            if notice is None:
                return None
            row = outbox.enqueue(
                uow,
                kind=notice.kind,
                platform="slack",
                target=notice.target,
                payload=notice.payload(),
                dedupe_key=key,
            )
            uow.commit()
    except IntegrityError:
        # Another worker queued the same key between our check and our insert.
        with store.uow() as uow:
            if _queued(uow, key):
                return None
        raise
    return notice if row is not None else None


# --- the managers' daily digest --------------------------------------------------------


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _escape(text: str) -> str:
    """Slack mrkdwn control characters shown as themselves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ranked(lines: list[str]) -> list[str]:
    return [f"{i}. {line}" for i, line in enumerate(lines, 1)] or [say("digest_nobody", LANG)]


def _digest_notice(uow: UnitOfWork, now: datetime, settings: Settings, channel: str) -> Notice:
    found = reports.digest(uow, now, tz=settings.timezone)
    sales, tickets = found.sales, found.tickets
    won = say("digest_deals", LANG, amount=money(sales.won_amount), count=sales.won_count)
    if sales.amount_change_pct is not None:
        won += f" {sales.amount_change_pct:+}%"
    figures = [
        (say("digest_won", LANG), won),
        (
            say("digest_day_before", LANG),
            say(
                "digest_deals",
                LANG,
                amount=money(sales.previous_amount),
                count=sales.previous_count,
            ),
        ),
        (say("digest_new_tickets", LANG), say("digest_tickets", LANG, count=tickets.opened)),
        (say("digest_breached", LANG), say("digest_tickets", LANG, count=tickets.sla_breaches)),
        (say("digest_overdue", LANG), say("digest_tickets", LANG, count=tickets.overdue)),
    ]
    movers = [
        (
            say("digest_top_reps", LANG),
            _ranked(
                [
                    f"{r.name} " + say("digest_deals", LANG, amount=money(r.amount), count=r.count)
                    for r in found.top_reps
                ]
            ),
        ),
        (
            say("digest_top_customers", LANG),
            _ranked(
                [
                    f"{c.name} " + say("digest_orders", LANG, amount=money(c.amount), count=c.count)
                    for c in found.top_customers
                ]
            ),
        ),
    ]
    title = say("digest_title", LANG, date=day(found.day, LANG))
    note = say("digest_note", LANG, date=day(found.day, LANG), tz=settings.timezone)
    text = [title, *(f"{name}: {value}" for name, value in figures)]
    for heading, lines in movers:
        text.extend([f"{heading}:", *lines])
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(title, HEADER_LIMIT)}},
        {
            "type": "section",
            "fields": [_mrkdwn(f"*{_escape(name)}*\n{_escape(value)}") for name, value in figures],
        },
        {"type": "divider"},
    ]
    for heading, lines in movers:
        body = f"*{_escape(heading)}*\n" + "\n".join(_escape(line) for line in lines)
        blocks.append({"type": "section", "text": _mrkdwn(_clip(body, SECTION_LIMIT))})
    blocks.append({"type": "context", "elements": [_mrkdwn(_escape(note))]})
    return Notice("digest", channel, _clip("\n".join(text), TEXT_LIMIT), tuple(blocks))


# --- tasks due today -------------------------------------------------------------------


def _owners_to_remind(store: Store, today: date) -> list[tuple[int, str]]:
    """(staff id, Slack user id) of active staff with open tasks due today not yet reminded."""
    with store.uow() as uow:
        query = (
            select(Staff.id, Staff.slack_user_id)
            .join(Task, Task.owner_id == Staff.id)
            .where(Task.done.is_(False), Task.due_date == today, Staff.active.is_(True))
            .distinct()
            .order_by(Staff.id)
        )
        owners = [(staff_id, slack_id) for staff_id, slack_id in uow.session.execute(query)]
        if not owners:
            return []
        keys = {
            f"tasks_due:{slack_id}:{today.isoformat()}": (sid, slack_id) for sid, slack_id in owners
        }
        reminded = set(
            uow.session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
            )
        )
    return [owner for key, owner in keys.items() if key not in reminded]


def _tasks_notice(uow: UnitOfWork, staff_id: int, slack_user_id: str, today: date) -> Notice | None:
    query = (
        select(Task.id, Task.title, Customer.name)
        .outerjoin(Customer, Customer.id == Task.customer_id)
        .where(Task.owner_id == staff_id, Task.done.is_(False), Task.due_date == today)
        .order_by(Task.id)
    )
    tasks = [(task_id, title, name) for task_id, title, name in uow.session.execute(query)]
    if not tasks:
        return None
    shown = [
        (task_id, f"• {title} ({name})" if name else f"• {title}")
        for task_id, title, name in tasks[:MAX_TASKS]
    ]
    lines = [line for _, line in shown]
    title = say("tasks_due_title", LANG, date=day(today, LANG), count=len(tasks))
    blocks: list[Block] = [{"type": "section", "text": _mrkdwn(f"*{_escape(title)}*")}]
    # one section per task, with a button that marks it done
    done = say("task_done_button", LANG)
    for task_id, line in shown:
        blocks.append(
            {
                "type": "section",
                "text": _mrkdwn(_clip(_escape(line), SECTION_LIMIT)),
                "accessory": {
                    "type": "button",
                    "action_id": TASK_DONE_ACTION,
                    "text": {"type": "plain_text", "text": done},
                    "value": str(task_id),
                },
            }
        )
    if len(tasks) > MAX_TASKS:
        more = say("tasks_due_more", LANG, count=len(tasks) - MAX_TASKS)
        lines.append(more)
        blocks.append({"type": "context", "elements": [_mrkdwn(_escape(more))]})
    text = _clip("\n".join([title, *lines]), TEXT_LIMIT)
    return Notice("task_due", slack_user_id, text, tuple(blocks))
