"""A small known world: staff, customers, orders, points, rewards and FAQs, seeded by services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.console import ConsoleSession
from bot.engine import Bot
from crm_core.db import Store
from crm_core.models import LedgerKind, Reward, Stage, Tier, TierRule
from crm_core.services import deals, knowledge, loyalty, orders, tickets
from crm_core.services.customers import CustomerInput, create_customer
from crm_core.services.staff import add_staff
from crm_core.uow import Actor

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 10:00 in Bangkok


@dataclass
class World:
    """Ids of the things the tests talk about."""

    store: Store
    bot: Bot
    acme: int
    siam: int
    somsri: int
    malee: int
    acme_deal: int

    def session(self, as_: str) -> ConsoleSession:
        return ConsoleSession(self.bot, as_)


def build_world(store: Store) -> World:
    """Seed the world through the services, the way staff and imports would."""
    with store.uow(Actor.cli()) as uow:
        rep = add_staff(uow, "U_SALES", "Somchai", "sales")
        add_staff(uow, "U_SALES2", "Narin", "sales")
        add_staff(uow, "U_SUPPORT", "Malai", "support")
        add_staff(uow, "U_MANAGER", "Pim", "manager")
        add_staff(uow, "U_ADMIN", "Admin", "admin")
        acme = create_customer(uow, CustomerInput(name="Acme Trading", phone="0811111111"))
        siam = create_customer(
            uow,
            CustomerInput(name="Siam Paper", phone="0822222222", aliases=["สยามเปเปอร์", "SPC"]),
        )
        somsri = create_customer(
            uow,
            CustomerInput(
                name="คุณสมศรี ใจดี",
                phone="0891112222",
                member_id="M-10002",
                tier="silver",
                line_user_id="U_LINE_SOMSRI",
                marketing_consent=True,
            ),
        )
        malee = create_customer(
            uow,
            CustomerInput(name="Malee Wong", phone="0833333333", line_user_id="U_LINE_MALEE"),
        )
        uow.session.flush()
        deal = deals.create_deal(uow, acme, "Paper supply 2027", owner=rep, stage=Stage.PROPOSAL)
        for number, who, status in (
            ("ORD-3001", somsri, "shipped"),
            ("ORD-3002", malee, "paid"),
            ("ORD-3003", siam, "paid"),
        ):
            order, _ = orders.upsert_order(
                uow,
                number,
                who,
                status="paid",
                total="1250.50",
                placed_at=NOW - timedelta(days=3),
                carrier=None,
                tracking_number=None,
            )
            if status == "shipped":
                orders.change_order_status(
                    uow, order, "shipped", carrier="Kerry Express", tracking_number="KE123456"
                )
        loyalty.earn_points(uow, somsri.id, 1200, reason="opening", kind=LedgerKind.OPENING)
        loyalty.earn_points(uow, malee.id, 50, reason="opening", kind=LedgerKind.OPENING)
        uow.session.add_all(
            [
                Reward(code="MUG", name_th="แก้วน้ำ", name_en="Mug", points_cost=500, stock=10),
                Reward(
                    code="VOUCHER",
                    name_th="บัตรกำนัล 500 บาท",
                    name_en="500 THB voucher",
                    points_cost=2000,
                    stock=None,
                ),
                TierRule(tier=Tier.BRONZE, min_points=0, earn_percent=100),
                TierRule(tier=Tier.SILVER, min_points=1000, earn_percent=110),
                TierRule(tier=Tier.GOLD, min_points=5000, earn_percent=125),
            ]
        )
        knowledge.upsert_entry(
            uow,
            "hours",
            ["ร้านเปิดกี่โมง", "ร้านปิดวันไหน", "what are your opening hours", "when are you open"],
            "ร้านเปิดทุกวัน 9:00-18:00 ปิดวันนักขัตฤกษ์",
            "We are open every day 9:00-18:00, closed on public holidays.",
        )
        knowledge.upsert_entry(
            uow,
            "weekend_delivery",
            ["ส่งของวันเสาร์อาทิตย์ไหม", "do you deliver on weekends"],
            "จัดส่งวันเสาร์ได้ วันอาทิตย์ไม่มีจัดส่ง",
            "We deliver on Saturdays, not on Sundays.",
        )
        tickets.create_ticket(uow, "สินค้าเสียหาย", customer=malee, channel="line")
        uow.commit()
        ids = (acme.id, siam.id, somsri.id, malee.id, deal.id)
    return World(store, Bot(store, clock=lambda: NOW), *ids)
