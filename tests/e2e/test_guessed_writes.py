"""A message read only weakly as a write is read back before anything is written."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.actions import UNSURE
from crm_core.models import Customer, Interaction, Task, Ticket
from tests.e2e.world import World


def _weak(world: World, text: str, intent: str) -> None:
    """The reading each test is about: this intent, below the bot's threshold."""
    parsed = world.bot.parse(text)
    assert parsed.intent == intent and parsed.confidence < UNSURE


def _count(world: World, model: type, *where: object) -> int:
    with world.store.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _malee_ticket(world: World) -> str:
    with world.store.uow() as uow:
        return str(
            uow.session.scalar(select(Ticket.number).where(Ticket.customer_id == world.malee))
        )


def test_a_weak_interaction_is_read_back_and_a_no_logs_nothing(world: World) -> None:
    rep = world.session("staff:U_SALES")
    text = "chase Acme invoice"
    _weak(world, text, "log_interaction")
    asked = rep.send(text)
    assert asked.confirm and "Acme Trading" in asked.text and "chase invoice" in asked.text
    assert not rep.send("no").confirm
    assert _count(world, Interaction, Interaction.customer_id == world.acme) == 0
    rep.send(text)
    rep.send("yes")
    assert _count(world, Interaction, Interaction.customer_id == world.acme) == 1


def test_a_weak_task_is_read_back_before_it_is_added(world: World) -> None:
    rep = world.session("staff:U_SALES")
    text = "send catalogue to Acme"
    _weak(world, text, "task_create")
    asked = rep.send(text)
    assert asked.confirm and "send catalogue" in asked.text
    assert _count(world, Task) == 0
    done = rep.send("yes")
    assert "Task added" in done.text
    assert _count(world, Task, Task.customer_id == world.acme) == 1


def test_a_weak_new_customer_is_read_back_before_it_is_created(world: World) -> None:
    rep = world.session("staff:U_SALES")
    text = "new one: Bangkok Bikes"
    _weak(world, text, "customer_create")
    asked = rep.send(text)
    assert asked.confirm and '"Bangkok Bikes"' in asked.text
    rep.send("no")
    assert _count(world, Customer, Customer.name == "Bangkok Bikes") == 0


def test_a_weak_ticket_update_names_the_change_before_making_it(world: World) -> None:
    agent = world.session("staff:U_SUPPORT")
    number = _malee_ticket(world)
    text = f"{number} later"
    _weak(world, text, "ticket_update")
    asked = agent.send(text)
    assert asked.confirm and number in asked.text and "assigned to Malai" in asked.text
    agent.send("no")
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.assignee_id is None


def test_answering_the_bots_question_takes_a_weak_reading_as_meant(world: World) -> None:
    agent = world.session("staff:U_SUPPORT")
    text = "เคสนั้นเดี๋ยวดู"
    _weak(world, text, "ticket_update")
    asked = agent.send(text)
    assert not asked.confirm and asked.intent == "ticket_update"  # which ticket?
    number = _malee_ticket(world)
    done = agent.send(number)
    assert not done.confirm and number in done.text
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.assignee is not None and ticket.assignee.name == "Malai"


def test_a_weak_opt_out_is_asked_and_a_clear_one_is_taken(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    text = "ไม่เอาโปรแล้ว"
    _weak(world, text, "consent_update")
    asked = somsri.send(text)
    assert asked.confirm and "หยุดรับข่าวสาร" in asked.text
    somsri.send("ไม่")
    assert _count(world, Customer, Customer.id == world.somsri, Customer.marketing_consent) == 1
    done = somsri.send("ไม่ต้องส่งโปรโมชั่นมาแล้วค่ะ")
    assert not done.confirm and done.intent == "consent_update"
    assert _count(world, Customer, Customer.id == world.somsri, Customer.marketing_consent) == 0
