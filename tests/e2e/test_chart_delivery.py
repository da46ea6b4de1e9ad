"""Report charts reach people: uploaded to Slack next to the summary, saved by the console."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from adapters.console import ConsoleSession, run_jsonl
from bot import charts
from crm_core.models import Customer, Deal, Staff, Stage
from crm_core.services import deals
from crm_core.uow import Actor
from tests.e2e.fake_slack import BOT_USER_ID
from tests.e2e.test_slack import SlackWorld, fixture, slack  # noqa: F401  (fixture)
from tests.e2e.world import NOW, World

PNG = b"\x89PNG\r\n\x1a\n"
SALES_QUESTION = "ยอดขายเดือนนี้เป็นยังไง"


def win_deals(world: World) -> None:
    """Two days before the world's now Somchai won Acme (80,000) and Narin Siam (30,000)."""
    with world.store.uow(Actor.cli()) as uow:
        narin = uow.session.scalars(select(Staff).where(Staff.slack_user_id == "U_SALES2")).one()
        acme = uow.session.get_one(Deal, world.acme_deal)
        customer = uow.session.get_one(Customer, world.siam)
        siam = deals.create_deal(uow, customer, "Paper 2027", owner=narin, stage=Stage.PROPOSAL)
        for deal, amount in ((acme, "80000"), (siam, "30000")):
            deals.update_deal(uow, deal, stage=Stage.WON, amount=Decimal(amount))
            *opened, won = deal.history  # the world was made on the wall clock, after NOW
            for change in opened:
                change.changed_at = NOW - timedelta(days=10)
            won.changed_at = NOW - timedelta(days=2)
        uow.commit()


def test_a_managers_sales_question_gets_the_summary_and_its_chart(slack: SlackWorld) -> None:  # noqa: F811
    win_deals(slack.world)
    assert slack.dm("U_MANAGER", SALES_QUESTION).status_code == 200
    (summary,) = slack.posted(1)
    assert summary["channel"] == "D_U_MANAGER" and "thread_ts" not in summary
    assert "ยอดขาย" in summary["text"] and "80,000" in summary["text"]

    (asked,) = slack.fake.wait_for("files.getUploadURLExternal")
    (upload,) = slack.fake.wait_for("file.upload")
    (done,) = slack.fake.wait_for("files.completeUploadExternal")
    assert asked.params["filename"] == "khui-sales.png"
    assert upload.data.startswith(PNG) and int(asked.params["length"]) == len(upload.data)
    image = Image.open(io.BytesIO(upload.data))
    assert image.size == (charts.WIDTH_PX, charts.HEIGHT_PX)
    assert upload.params["_path"].endswith((asked.answer or {})["file_id"])
    assert done.params["channel_id"] == summary["channel"] and "thread_ts" not in done.params
    (shared,) = json.loads(done.params["files"])
    assert shared["id"] == (asked.answer or {})["file_id"] and "ยอดขาย" in shared["title"]
    # The text goes out first; the chart follows it.
    order = [c.method for c in slack.fake.calls if c.method != "auth.test"]
    assert order.index("chat.postMessage") < order.index("files.getUploadURLExternal")


def test_a_chart_asked_for_in_a_channel_goes_into_the_mentions_thread(slack: SlackWorld) -> None:  # noqa: F811
    event = fixture("slack_app_mention_event.json")["event"]
    event |= {"user": "U_MANAGER", "text": f"<@{BOT_USER_ID}> pipeline เดือนนี้"}
    assert slack.event(event).status_code == 200
    (summary,) = slack.posted(1)
    (done,) = slack.fake.wait_for("files.completeUploadExternal")
    assert (summary["channel"], summary["thread_ts"]) == ("C111", event["ts"])
    assert (done.params["channel_id"], done.params["thread_ts"]) == ("C111", event["ts"])


def test_a_slash_command_chart_goes_to_the_askers_dm(slack: SlackWorld) -> None:  # noqa: F811
    assert slack.command("U_MANAGER", "pipeline this month").status_code == 200
    (answer,) = slack.fake.wait_for("response_url")
    assert answer.params["response_type"] == "ephemeral" and "฿" in answer.params["text"]
    (opened,) = slack.fake.wait_for("conversations.open")
    assert opened.params["users"] == "U_MANAGER"
    (done,) = slack.fake.wait_for("files.completeUploadExternal")
    assert done.params["channel_id"] == (opened.answer or {})["channel"]["id"] == "D_U_MANAGER"
    assert "thread_ts" not in done.params
    assert slack.fake.of("chat.postMessage") == []  # nothing in the channel C111


@pytest.mark.parametrize("failing", ["files.getUploadURLExternal", "file.upload"])
def test_a_failed_upload_is_logged_and_the_summary_stands(
    slack: SlackWorld,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    failing: str,
) -> None:
    slack.fake.fail(failing, "http_500")
    with caplog.at_level(logging.ERROR, logger="khui.slack"):
        slack.dm("U_MANAGER", "pipeline this month")
        (summary,) = slack.posted(1)
        slack.fake.wait_for(failing)
        slack.settle()
    assert "฿" in summary["text"]
    assert slack.fake.of("files.completeUploadExternal") == []
    assert any("chart upload" in r.getMessage() for r in caplog.records)


def test_the_bot_leaves_drawing_to_the_adapter(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_drawing(chart: object) -> bytes:
        raise AssertionError("a chart was drawn during the turn")

    monkeypatch.setattr(charts, "render", no_drawing)
    reply = world.session("staff:U_MANAGER").send("pipeline this month")
    (chart,) = reply.charts
    assert chart.filename == "khui-pipeline.png" and len(chart.bars) == 4
    with pytest.raises(AssertionError, match="drawn"):
        chart.png()


def test_the_console_saves_the_chart_and_shows_where(world: World, tmp_path: Path) -> None:
    session = ConsoleSession(world.bot, "staff:U_MANAGER", tmp_path / "charts")
    out = StringIO()
    run_jsonl(session, ["pipeline this month\n", "สวัสดีค่ะ\n"], out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    (path,) = first["charts"]
    assert Path(path).parent == (tmp_path / "charts").resolve()
    assert Path(path).read_bytes().startswith(PNG)
    assert second["charts"] == []
    shown = session.say("pipeline this month")
    text, where = shown.rsplit("\n", 1)
    assert "฿" in text and where.startswith("📊 ")
    assert Path(where.removeprefix("📊 ")).read_bytes().startswith(PNG)
    assert len(list((tmp_path / "charts").glob("*.png"))) == 2


def test_a_sales_rep_sees_only_their_own_bar(world: World) -> None:
    win_deals(world)
    (everyone,) = world.session("staff:U_MANAGER").send(SALES_QUESTION).charts
    assert everyone.bars == (("Somchai", 80000.0), ("Narin", 30000.0))
    (own,) = world.session("staff:U_SALES").send(SALES_QUESTION).charts
    assert own.bars == (("Somchai", 80000.0),) and own.axis == "มูลค่า (฿)"


def test_a_chart_the_console_cannot_save_leaves_the_reply(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "not-a-directory"
    taken.write_text("")
    shown = ConsoleSession(world.bot, "staff:U_MANAGER", taken).say("pipeline this month")
    assert "฿" in shown and "📊" not in shown
    assert "chart not saved" in capsys.readouterr().err
