"""Neutral message types: one `Message` in from any channel, one `Reply` out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# a user mentioned in a Slack message's text ("<@U012AB3CD>", "<@U012AB3CD|somchai>"): the
# adapter takes out the app's own, the bot reads a colleague's
SLACK_MENTION = re.compile(r"<@([A-Z0-9_]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Action:
    """A button or quick-reply press: the dialogue token it carries and the chosen value."""

    token: str
    value: str


@dataclass(frozen=True)
class Message:
    """What a person said or pressed, whatever the platform.

    `platform` decides identity: "slack" users are staff, "line" users are customers.
    `via` names the adapter that carried it (slack, line, console) for the audit log.
    """

    platform: str
    user_id: str
    text: str = ""
    channel_id: str = ""
    event_id: str | None = None
    thread_id: str | None = None
    action: Action | None = None
    via: str = ""

    @property
    def channel(self) -> str:
        return self.via or self.platform


@dataclass(frozen=True)
class Card:
    """Structured content a channel may render richly (Block Kit, Flex)."""

    kind: str
    title: str
    fields: tuple[tuple[str, str], ...] = ()
    image_url: str | None = None
    steps: tuple[str, ...] = ()
    current_step: int = -1


@dataclass(frozen=True)
class Choice:
    """One button / quick reply; pressing it sends Action(token, value)."""

    label: str
    value: str


@dataclass(frozen=True)
class Notification:
    """A message for someone other than the sender (a channel, a staff member, a customer).

    The engine queues it in the outbox in the turn's transaction; `khui worker` delivers it.
    """

    platform: str
    target: str
    text: str
    card: Card | None = None
    kind: str = "notice"
    ref: str | None = None  # the record it is about (a ticket number the buttons act on)


@dataclass(frozen=True)
class Chart:
    """A bar chart an adapter uploads or saves next to the reply: labelled bars, one axis.

    It is only data; `png()` draws it, outside the turn's transaction.
    """

    title: str
    bars: tuple[tuple[str, float], ...]
    axis: str
    filename: str = "chart.png"

    def png(self) -> bytes:
        """The chart drawn as a PNG image."""
        from bot.charts import render

        return render(self)


@dataclass(frozen=True)
class Reply:
    """What khui answers: plain text always, structure optionally."""

    text: str
    lang: str = "th"
    cards: tuple[Card, ...] = ()
    choices: tuple[Choice, ...] = ()
    token: str | None = None
    confirm: bool = False
    notify: tuple[Notification, ...] = field(default=())
    intent: str | None = None
    charts: tuple[Chart, ...] = ()

    @property
    def card(self) -> Card | None:
        return self.cards[0] if self.cards else None


def card_to_json(card: Card) -> dict[str, Any]:
    """A card as JSON for an outbox row."""
    return {
        "kind": card.kind,
        "title": card.title,
        "fields": [list(pair) for pair in card.fields],
        "image_url": card.image_url,
        "steps": list(card.steps),
        "current_step": card.current_step,
    }


def card_from_json(data: dict[str, Any]) -> Card:
    """The card `card_to_json` wrote."""
    return Card(
        kind=str(data["kind"]),
        title=str(data["title"]),
        fields=tuple((str(name), str(value)) for name, value in data.get("fields", [])),
        image_url=data.get("image_url"),
        steps=tuple(str(step) for step in data.get("steps", [])),
        current_step=int(data.get("current_step", -1)),
    )
