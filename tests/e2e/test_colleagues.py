"""A manager asks for one colleague's deals, tasks, tickets and figures by name or Slack
mention; a rep sees only their own; a customer's name is never taken for a colleague's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.replies import day, label, say
from crm_core.models import Customer, OutboxMessage, OutboxStatus, Staff, Stage, Task
from crm_core.services import activities, deals, tickets
from crm_core.services.customers import CustomerInput, create_customer
from crm_core.services.staff import staff_by_slack_id
from crm_core.uow import Actor
from tests.e2e.world import World


@pytest.fixture
def team(world: World) -> World:
    """Narin's deal and task, a ticket of Malai's, a customer called Somchai too, and CP All."""
    with world.store.uow(Actor.cli()) as uow:
        narin = staff_by_slack_id(uow, "U_SALES2")
        siam = uow.session.get_one(Customer, world.siam)
        deals.create_deal(
            uow, siam, "Catalogue printing", owner=narin, amount="120000", stage=Stage.NEGOTIATION
        )
        activities.create_task(
            uow, narin, "Send the samples", due_date=date(2026, 11, 25), customer=siam
        )
        acme = uow.session.get_one(Customer, world.acme)
        tickets.create_ticket(
            uow,
            "Printer jammed",
            customer=acme,
            channel="slack",
            assignee=staff_by_slack_id(uow, "U_SUPPORT"),
        )
        create_customer(
            uow, CustomerInput(name="Somchai Prasert", phone="0844444444", aliases=["Somchai"])
        )
        create_customer(uow, CustomerInput(name="CP All", phone="0855555555"))
        uow.commit()
    return world


def _title(kind: str, lang: str, name: str) -> str:
    return say(
        "report_title_of",
        lang,
        kind=label("report", kind, lang),
        # the pipeline is the deals open now
        period=say("period_now", lang)
        if kind == "pipeline"
        else label("period", "this_month", lang),
        name=name,
    )


def test_a_manager_sees_one_colleagues_deals_and_figures(team: World) -> None:
    manager = team.session("staff:U_MANAGER")
    narins = manager.send("Narin's deals")
    assert narins.intent == "deal_list"
    assert narins.text.splitlines()[0] == say("deals_of", "en", name="Narin")
    assert "Catalogue printing" in narins.text and "Paper supply 2027" not in narins.text
    # Somchai is a colleague's first name and part of a customer's: the colleague's deals
    somchais = manager.send("Somchai's deals")
    assert somchais.text.splitlines()[0] == say("deals_of", "en", name="Somchai")
    assert "Paper supply 2027" in somchais.text and "Catalogue" not in somchais.text
    # ... and a customer named beside a colleague narrows to both
    both = manager.send("Somchai's deals for Siam Paper")
    assert both.text.splitlines() == [say("deals_of", "en", name="Somchai"), say("no_deals", "en")]
    # ... unless the customer's whole name is said
    assert manager.send("deals of Somchai Prasert").text == say("no_deals", "en")
    # by Slack mention, in Thai, and the team's figures when no one is named
    pipeline = manager.send("pipeline <@U_SALES2>")
    assert pipeline.intent == "report"
    assert pipeline.text.splitlines()[0] == _title("pipeline", "en", "Narin")
    assert "฿120,000" in pipeline.text
    thai = manager.send("pipeline ของ Somchai เดือนนี้")
    assert thai.text.splitlines()[0] == _title("pipeline", "th", "Somchai")
    assert "฿120,000" not in thai.text
    # Narin won no deal this month: none of the customers are theirs yet
    top = manager.send("top 3 customers of Narin")
    assert top.text == say(
        "no_top_customers_of", "en", name="Narin", period=label("period", "this_month", "en")
    )
    # how someone is doing: a colleague's figures, or a customer's card (no report is of one)
    doing = manager.send("how is Narin doing this month")
    assert doing.text.splitlines()[0] == _title("sales", "en", "Narin")
    customer = manager.send("how is Siam Paper doing this quarter")
    assert customer.text == say("report_of_customer", "en", name="Siam Paper")
    assert [c.title for c in customer.cards] == ["Siam Paper"]
    team_wide = manager.send("pipeline report")
    assert team_wide.text.splitlines()[0].startswith(label("report", "pipeline", "en"))
    assert "Narin" not in team_wide.text.splitlines()[0]


def test_a_colleagues_tasks_and_tickets(team: World) -> None:
    manager = team.session("staff:U_MANAGER")
    tasks = manager.send("งานของ Narin มีอะไรบ้าง")
    assert tasks.intent == "task_create"
    lines = tasks.text.splitlines()
    assert lines[0] == say("tasks_list_of", "th", name="Narin", count=1)
    assert "Send the samples" in lines[1]
    # tickets are the team's: a rep may see whose they are too
    rep = team.session("staff:U_SALES")
    queue = rep.send("tickets assigned to Malai")
    assert queue.intent == "ticket_status"
    lines = queue.text.splitlines()
    assert lines[0] == say("queue_rep", "en", name="Malai", count=1)
    assert "Printer jammed" in lines[1] and len(lines) == 2
    # ... and whose they are when only the overdue ones are asked for (none yet)
    overdue = rep.send("Malai's overdue tickets")
    assert overdue.text == say("queue_overdue_rep_empty", "en", name="Malai")


def test_a_rep_sees_only_their_own(team: World) -> None:
    rep = team.session("staff:U_SALES")
    for text in ("Narin's pipeline", "Narin's deals", "งานของ Narin มีอะไรบ้าง"):
        refused = rep.send(text)
        assert refused.text == say("colleague_not_allowed", "th" if "งาน" in text else "en"), text
    # their own name is their own deals, not the customer who shares it
    own = rep.send("Somchai's deals")
    assert "Paper supply 2027" in own.text and "Catalogue" not in own.text


def test_two_colleagues_named_are_asked_about(team: World) -> None:
    manager = team.session("staff:U_MANAGER")
    asked = manager.send("pipeline for Somchai and Narin")
    assert asked.text == say("which_colleague", "en")
    assert [c.label for c in asked.choices] == ["Narin", "Somchai"]
    answered = manager.send("Narin")
    assert answered.text.splitlines()[0] == _title("pipeline", "en", "Narin")


def _tasks(world: World) -> list[tuple[str, str, int | None, date | None]]:
    """Every task as (owner's Slack id, title, customer id, due date)."""
    with world.store.uow() as uow:
        rows = uow.session.execute(
            select(Staff.slack_user_id, Task.title, Task.customer_id, Task.due_date)
            .join(Staff, Staff.id == Task.owner_id)
            .order_by(Task.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _notices(world: World) -> list[tuple[str, str]]:
    with world.store.uow() as uow:
        rows = uow.session.execute(
            select(OutboxMessage.target, OutboxMessage.payload).where(
                OutboxMessage.kind == "task_handed"
            )
        )
        return [(target, str(payload["text"])) for target, payload in rows]


def test_the_customer_named_beside_a_colleague_is_the_tasks(team: World) -> None:
    # "Somchai" is also a customer's name; "CP All" is found whole, though "all" alone would
    # be a command word
    manager = team.session("staff:U_MANAGER")
    handed = manager.send("assign a task to Somchai: visit CP All next Friday")
    with team.store.uow() as uow:
        cp_all = uow.session.scalars(select(Customer.id).where(Customer.name == "CP All")).one()
    friday = date(2026, 11, 27)
    assert _tasks(team)[-1] == ("U_SALES", "visit", cp_all, friday)
    assert handed.text == say(
        "task_created_for", "en", name="Somchai", title="visit – CP All", due=day(friday, "en")
    )


def test_a_task_handed_to_a_colleague_is_theirs_and_they_are_told(team: World) -> None:
    before = _tasks(team)
    manager = team.session("staff:U_MANAGER")
    # "Somchai" is a colleague and part of a customer's name: the customer is Siam Paper
    handed = manager.send("remind Somchai to call Siam Paper tomorrow")
    assert handed.intent == "task_create"
    tomorrow = date(2026, 11, 21)
    assert _tasks(team)[len(before) :] == [("U_SALES", "call", team.siam, tomorrow)]
    assert handed.text == say(
        "task_created_for", "en", name="Somchai", title="call – Siam Paper", due=day(tomorrow, "en")
    )
    [(target, text)] = _notices(team)
    assert target == "U_SALES" and "Pim" in text and "call" in text
    # in Thai, with the handing words around the name (read weakly: asked first, for whom);
    # the sender's own list stays empty
    asked = manager.send("ฝาก Narin ส่งใบเสนอราคา Acme Trading วันศุกร์หน้า")
    friday = date(2026, 11, 27)
    assert asked.text == say(
        "confirm_task_guess_for",
        "th",
        title="ส่งใบเสนอราคา – Acme Trading",
        name="Narin",
        due=day(friday, "th"),
    )
    manager.send("ใช่")
    assert _tasks(team)[-1] == ("U_SALES2", "ส่งใบเสนอราคา", team.acme, friday)
    assert manager.send("my tasks").text == say("no_tasks", "en")
    # undo takes the last one back
    # undo takes the last one back, and its notice with it, unsent
    undone = manager.send("undo")
    assert say("undo_withdrawn", "en", count=1) in undone.text
    assert _tasks(team)[-1][0:2] == ("U_SALES", "call")
    with team.store.uow() as uow:
        statuses = dict(
            uow.session.execute(
                select(OutboxMessage.target, OutboxMessage.status).where(
                    OutboxMessage.kind == "task_handed"
                )
            ).all()
        )
    assert statuses == {"U_SALES": OutboxStatus.PENDING, "U_SALES2": OutboxStatus.CANCELLED}


def test_a_task_for_a_colleague_without_what_asks_what(team: World) -> None:
    before = _tasks(team)
    manager = team.session("staff:U_MANAGER")
    asked = manager.send("remind Narin tomorrow")
    assert asked.text == say("ask_task_title", "en")
    assert _tasks(team) == before
    manager.send("visit Siam Paper")
    assert _tasks(team)[-1][:3] == ("U_SALES2", "visit", team.siam)


def test_a_colleagues_things_are_read_as_one_would_read_ones_own(team: World) -> None:
    before = _tasks(team)
    manager = team.session("staff:U_MANAGER")
    # read as nothing alone ("Malai's tickets"), or as a customer ("Narin's top customers")
    queue = manager.send("Malai's tickets")
    assert queue.text.splitlines()[0] == say("queue_rep", "en", name="Malai", count=1)
    top = manager.send("Narin's top customers")
    assert top.text == say(
        "no_top_customers_of", "en", name="Narin", period=label("period", "this_month", "en")
    )
    # read as a task called "งาน ของ Narin": their tasks due by the day, nothing added
    due = manager.send("งานวันพุธของ Narin")
    wednesday = date(2026, 11, 25)
    lines = due.text.splitlines()
    assert lines[0] == say(
        "tasks_due_list_of", "th", name="Narin", count=1, day=day(wednesday, "th")
    )
    assert "Send the samples" in lines[1]
    none_yet = manager.send("งานพรุ่งนี้ของ Narin")
    tomorrow = day(date(2026, 11, 21), "th")
    assert none_yet.text == say("no_tasks_due_of", "th", name="Narin", day=tomorrow)
    assert _tasks(team) == before
    # a task about a colleague's someone stays a task
    manager.send("remind me to call Somchai's wife")
    assert _tasks(team)[-1][:2] == ("U_MANAGER", "call wife")
