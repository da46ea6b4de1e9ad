"""Console chat: a REPL for people, JSON lines for scripts, and a harness for tests."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.bootstrap import build_bot
from bot.engine import Bot
from bot.messages import Action, Chart, Message, Reply
from bot.replies import say
from bot.settings import Settings
from intents.normalize import THAI_CHAR

DEMO_IDENTITIES = (
    ("staff:U_DEMO_SALES", "sales rep (Somchai)"),
    ("staff:U_DEMO_SUPPORT", "support agent"),
    ("staff:U_DEMO_MANAGER", "manager"),
    ("customer:U_DEMO_LINE_SOMSRI", "customer on LINE (คุณสมศรี, linked)"),
    ("customer:U_NEW_VISITOR", "new LINE visitor (not linked)"),
)


def parse_identity(spec: str) -> tuple[str, str]:
    """'staff:U123' -> ('slack', 'U123'); 'customer:Uabc' -> ('line', 'Uabc')."""
    kind, _, user = spec.partition(":")
    if kind not in ("staff", "customer") or not user:
        raise ValueError(f"use staff:SLACK_ID or customer:LINE_ID, not {spec!r}")
    return ("slack" if kind == "staff" else "line"), user


def render(reply: Reply) -> str:
    """A reply as readable terminal text: text, cards as blocks, numbered choices."""
    lines = [reply.text]
    for card in reply.cards:
        lines.append(f"┌ {card.title}")
        if card.steps:
            lines.append(
                "│ "
                + " → ".join(
                    f"[{s}]" if i == card.current_step else s for i, s in enumerate(card.steps)
                )
            )
        lines.extend(f"│ {name}: {value}" for name, value in card.fields)
        lines.append("└")
    lines.extend(f"  {i}. {choice.label}" for i, choice in enumerate(reply.choices, 1))
    return "\n".join(lines)


class ConsoleSession:
    """Talk to the real bot as one identity: `say(text) -> str`."""

    def __init__(self, bot: Bot, as_: str, chart_dir: Path | None = None) -> None:
        self.bot = bot
        self.platform, self.user_id = parse_identity(as_)
        self.last: Reply | None = None
        self.chart_dir = chart_dir  # None: charts are not drawn (scripts and tests)
        self.charts: list[Path] = []  # the files of the last reply's charts

    def switch(self, as_: str) -> None:
        """Become someone else (/as customer:...)."""
        self.platform, self.user_id = parse_identity(as_)
        self.last = None

    def send(self, text: str) -> Reply:
        """Send one line; a bare number picks that choice of the previous reply."""
        action = None
        stripped = text.strip()
        if self.last and self.last.choices and self.last.token and stripped.isdigit():
            index = int(stripped) - 1
            if 0 <= index < len(self.last.choices):
                action = Action(self.last.token, self.last.choices[index].value)
        message = Message(
            platform=self.platform,
            user_id=self.user_id,
            text=text,
            channel_id="console",
            event_id=f"console-{uuid.uuid4().hex}",
            action=action,
            via="console",
        )
        handled = self.bot.handle(message)
        # every console message has a fresh event id: no reply means a colleague has the chat
        # (handoff) and the message went to them
        lang = "th" if THAI_CHAR.search(text) else "en"
        reply = handled or Reply(say("relayed_to_staff", lang), lang)
        self.last = reply
        self.charts = []
        if self.chart_dir is None:
            return reply
        for chart in reply.charts:
            try:
                self.charts.append(self.save_chart(chart, self.chart_dir))
            except OSError as exc:  # an unwritable KHUI_CHART_DIR must not end the chat
                print(f"khui: chart not saved: {exc}", file=sys.stderr)
        return reply

    @staticmethod
    def save_chart(chart: Chart, directory: Path) -> Path:
        """Draw a chart into `directory`; its path."""
        directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = directory / f"{stamp}-{uuid.uuid4().hex[:6]}-{chart.filename}"
        path.write_bytes(chart.png())
        return path.resolve()

    def say(self, text: str) -> str:
        """Send one line and return the rendered reply (with where its charts were saved)."""
        shown = render(self.send(text))
        return "\n".join([shown, *(f"📊 {path}" for path in self.charts)])


def run_jsonl(session: ConsoleSession, lines: Iterable[str], out: TextIO) -> None:
    """One message per input line, one JSON object per output line."""
    for raw in lines:
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        if text.startswith("/as "):
            session.switch(text[4:].strip())
            continue
        reply = session.send(text)
        record = {
            "input": text,
            "intent": reply.intent,
            "reply": reply.text,
            "choices": [c.label for c in reply.choices],
            "cards": [
                {"title": c.title, "fields": [list(f) for f in c.fields]} for c in reply.cards
            ],
            "charts": [str(path) for path in session.charts],
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def run_repl(session: ConsoleSession) -> None:
    """Interactive chat until EOF or /quit."""
    print("Type a message; /as staff:ID or /as customer:ID to switch, /quit to leave.")
    while True:
        try:
            text = input(f"{session.platform}:{session.user_id}> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if text.strip() in ("/quit", "/exit"):
            return
        if text.startswith("/as "):
            try:
                session.switch(text[4:].strip())
            except ValueError as exc:
                print(exc)
            continue
        if text.strip():
            print(session.say(text))


def run_chat(database_url: str | None, as_: str, *, jsonl: bool = False) -> None:
    """`khui chat`: REPL on a terminal, JSON lines otherwise."""
    charts = Path(Settings().chart_dir)
    session = ConsoleSession(build_bot(database_url=database_url), as_, charts)
    if jsonl or not sys.stdin.isatty():
        run_jsonl(session, sys.stdin, sys.stdout)
    else:
        run_repl(session)


def run_demo(database_url: str) -> None:
    """`khui demo`: show who you can be and open the chat as the sales rep."""
    bot = build_bot(database_url=database_url)
    print("khui demo — you can be:")
    for spec, who in DEMO_IDENTITIES:
        print(f"  /as {spec:<32} {who}")
    session = ConsoleSession(bot, DEMO_IDENTITIES[0][0], Path(Settings().chart_dir))
    if sys.stdin.isatty():
        run_repl(session)
    else:
        run_jsonl(session, sys.stdin, sys.stdout)
