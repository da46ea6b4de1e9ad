"""Neutral message types: one `Message` in from any channel, one `Reply` out."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    """A message for someone other than the sender (a channel, a staff member, a customer)."""

    platform: str
    target: str
    text: str
    card: Card | None = None


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

    @property
    def card(self) -> Card | None:
        return self.cards[0] if self.cards else None
