"""Demo data: a hand-written Thai/English shop, plus synthetic customers at any scale."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Table, cast, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_core.models import (
    Base,
    Customer,
    CustomerAlias,
    Deal,
    DealStageChange,
    Interaction,
    InteractionType,
    KnowledgeEntry,
    LedgerKind,
    Lifecycle,
    NumberSequence,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    PointsEntry,
    Priority,
    Reward,
    Role,
    Staff,
    Stage,
    Task,
    Ticket,
    TicketStatus,
    TicketStatusChange,
    Tier,
    TierRule,
)
from crm_core.services.sequences import STARTS
from crm_core.services.tickets import SLA
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork

E = TypeVar("E")

DEFAULT_TIMEZONE = "Asia/Bangkok"
DEMO_MARKER = "U_DEMO_SALES"
# How many synthetic customers earlier runs made; lets a larger --scale top up and an
# interrupted run resume instead of duplicating.
SCALE_COUNTER = "demo_scale"
BATCH_SIZE = 2000
BAHT_PER_POINT = 25
TIER_WINDOW = timedelta(days=365)
SYNTHETIC_MEMBER_BASE = 200_001

# (tier, min points earned in 12 months, earn percent)
TIER_RULES: tuple[tuple[Tier, int, int], ...] = (
    (Tier.BRONZE, 0, 100),
    (Tier.SILVER, 1000, 110),
    (Tier.GOLD, 5000, 125),
    (Tier.PLATINUM, 20000, 150),
)


@dataclass(frozen=True)
class DemoSummary:
    """What one seed_demo call wrote; created is False when there was nothing to add."""

    created: bool
    staff: int = 0
    customers: int = 0
    synthetic_customers: int = 0
    orders: int = 0
    order_items: int = 0
    deals: int = 0
    tasks: int = 0
    tickets: int = 0
    interactions: int = 0
    points_entries: int = 0
    rewards: int = 0
    faq_entries: int = 0

    def describe(self) -> str:
        """One line for the command line."""
        if not self.created:
            return "demo data already present; nothing added"
        counts = [
            (self.staff, "staff"),
            (self.customers, "customers"),
            (self.orders, "orders"),
            (self.order_items, "order items"),
            (self.deals, "deals"),
            (self.tasks, "tasks"),
            (self.tickets, "tickets"),
            (self.interactions, "interactions"),
            (self.points_entries, "points entries"),
            (self.rewards, "rewards"),
            (self.faq_entries, "FAQ entries"),
        ]
        text = ", ".join(f"{n:,} {label}" for n, label in counts if n)
        if self.synthetic_customers:
            text += f" ({self.synthetic_customers:,} synthetic customers)"
        return f"demo data added: {text}"


# --------------------------------------------------------------------------- plans


@dataclass
class _Counts:
    staff: int = 0
    customers: int = 0
    synthetic_customers: int = 0
    orders: int = 0
    order_items: int = 0
    deals: int = 0
    tasks: int = 0
    tickets: int = 0
    interactions: int = 0
    points_entries: int = 0
    rewards: int = 0
    faq_entries: int = 0

    def add(self, other: _Counts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> DemoSummary:
        return DemoSummary(created=any(vars(self).values()), **vars(self))


@dataclass
class _PointsEvent:
    """A redeem or adjust the writer appends if the balance allows it."""

    at: datetime
    kind: LedgerKind
    delta: int
    reason: str
    reference: str | None
    actor: str


@dataclass
class _CustomerPlan:
    row: dict[str, Any]
    aliases: Sequence[str] = ()
    opening: int = 0
    extras: list[_PointsEvent] = field(default_factory=list)


@dataclass
class _OrderPlan:
    customer: int
    status: OrderStatus
    steps: list[tuple[OrderStatus, datetime]]
    items: list[tuple[str, int]]
    carrier: str | None
    tracking: str | None
    number: str = ""

    @property
    def total(self) -> Decimal:
        return sum((CATALOGUE[sku][1] * qty for sku, qty in self.items), Decimal("0.00"))


@dataclass
class _DealPlan:
    customer: int
    owner: str
    title: str
    amount: Decimal
    steps: list[tuple[Stage, datetime]]
    close_date: date | None


@dataclass
class _TicketPlan:
    customer: int | None
    subject: str
    description: str
    priority: Priority
    channel: str
    assignee: str | None
    steps: list[tuple[TicketStatus, datetime]]
    number: str = ""


@dataclass
class _TaskPlan:
    owner: str
    title: str
    due: date | None
    customer: int | None
    created_at: datetime
    done_at: datetime | None


@dataclass
class _InteractionPlan:
    customer: int
    staff: str | None
    type: InteractionType
    note: str
    channel: str
    at: datetime


@dataclass
class _Batch:
    customers: list[_CustomerPlan] = field(default_factory=list)
    orders: list[_OrderPlan] = field(default_factory=list)
    deals: list[_DealPlan] = field(default_factory=list)
    tickets: list[_TicketPlan] = field(default_factory=list)
    tasks: list[_TaskPlan] = field(default_factory=list)
    interactions: list[_InteractionPlan] = field(default_factory=list)


# --------------------------------------------------------------------------- catalogue

CATALOGUE: dict[str, tuple[str, Decimal]] = {
    "COF-DC250": ("กาแฟดอยช้าง คั่วกลาง 250 ก. / Doi Chang medium roast 250 g", Decimal("350.00")),
    "COF-DT1K": ("กาแฟดอยตุง คั่วเข้ม 1 กก. / Doi Tung dark roast 1 kg", Decimal("980.00")),
    "TEA-TH200": ("ชาไทยพรีเมียม 200 ก. / Premium Thai tea 200 g", Decimal("185.00")),
    "TEA-MC50": ("ชาเขียวมัทฉะ 50 ก. / Matcha green tea 50 g", Decimal("420.00")),
    "PAP-A4-5": ("กระดาษ A4 80 แกรม 5 รีม / A4 paper 80 gsm, 5 reams", Decimal("645.00")),
    "PAP-A4-10": ("กระดาษ A4 80 แกรม ลัง 10 รีม / A4 paper, box of 10 reams", Decimal("1250.00")),
    "MUG-ELE": ("แก้วเซรามิกลายช้าง / Elephant ceramic mug", Decimal("259.00")),
    "TMB-20": ("แก้วเก็บความเย็น 20 ออนซ์ / Tumbler 20 oz", Decimal("490.00")),
    "GRD-MAN": ("เครื่องบดกาแฟมือหมุน / Manual coffee grinder", Decimal("1290.00")),
    "DRP-SET": ("ชุดดริปกาแฟ / Pour-over drip set", Decimal("890.00")),
    "SNK-PIA6": ("ขนมเปี๊ยะไส้ถั่ว กล่อง 6 ชิ้น / Mung bean pastry, box of 6", Decimal("120.00")),
    "GFT-BSK": ("กระเช้าของขวัญ / Gift basket", Decimal("1590.00")),
    "RCE-HM5": ("ข้าวหอมมะลิ 5 กก. / Hom Mali jasmine rice 5 kg", Decimal("245.00")),
    "HNY-LG500": ("น้ำผึ้งดอกลำไย 500 ก. / Longan honey 500 g", Decimal("210.00")),
    "STL-SH5": ("ชั้นวางเหล็ก 5 ชั้น / Steel shelf, 5 tiers", Decimal("2490.00")),
    "BAG-CNV": ("กระเป๋าผ้าแคนวาส / Canvas tote bag", Decimal("199.00")),
}
SKUS = tuple(CATALOGUE)

CARRIERS = ("Kerry Express", "Flash Express", "Thailand Post", "J&T Express")

ORDER_PATHS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    OrderStatus.PENDING: (OrderStatus.PENDING,),
    OrderStatus.PAID: (OrderStatus.PENDING, OrderStatus.PAID),
    OrderStatus.PACKED: (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.PACKED),
    OrderStatus.SHIPPED: (
        OrderStatus.PENDING,
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
    ),
    OrderStatus.DELIVERED: (
        OrderStatus.PENDING,
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ),
    OrderStatus.CANCELLED: (OrderStatus.PENDING, OrderStatus.CANCELLED),
    OrderStatus.RETURNED: (
        OrderStatus.PENDING,
        OrderStatus.PAID,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.RETURNED,
    ),
}
ORDER_STEP_AFTER: dict[OrderStatus, timedelta] = {
    OrderStatus.PENDING: timedelta(0),
    OrderStatus.PAID: timedelta(hours=2),
    OrderStatus.PACKED: timedelta(hours=20),
    OrderStatus.SHIPPED: timedelta(days=1),
    OrderStatus.DELIVERED: timedelta(days=2),
    OrderStatus.CANCELLED: timedelta(hours=18),
    OrderStatus.RETURNED: timedelta(days=6),
}
SHIPPED_STATES = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED})

DEAL_PATH = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)

# --------------------------------------------------------------------------- base set

STAFF: tuple[tuple[str, str, Role], ...] = (
    ("U_DEMO_SALES", "Somchai Sales (สมชาย ขายดี)", Role.SALES),
    ("U_DEMO_SALES2", "Nattaya Srisuk (ณัฐยา ศรีสุข)", Role.SALES),
    ("U_DEMO_SUPPORT", "Pim Support (พิมพ์ ใจเย็น)", Role.SUPPORT),
    ("U_DEMO_MANAGER", "Anan Manager (อนันต์ มั่นคง)", Role.MANAGER),
    ("U_DEMO_ADMIN", "Admin Khui (แอดมิน คุย)", Role.ADMIN),
)
SALES_STAFF = ("U_DEMO_SALES", "U_DEMO_SALES2")


class _Person(NamedTuple):
    name: str
    aliases: tuple[str, ...]
    phone: str
    email: str
    company: str | None
    points: int  # opening balance
    line_user_id: str | None
    consent: bool
    lead: bool
    since_days: float


PEOPLE: tuple[_Person, ...] = (
    _Person("Acme Trading", ("Acme", "แอคมี่"), "0812345678",
            "purchasing@acme-trading.example.com", "Acme Trading Co., Ltd.",
            6200, None, True, False, 340),
    _Person("Siam Paper Co.", ("สยามเปเปอร์", "SPC", "Siam Paper"), "0823456789",
            "order@siampaper.example.co.th", "Siam Paper Co., Ltd.",
            1800, None, False, False, 320),
    _Person("ซีพีออลล์", ("CP All", "ซีพี ออลล์", "CPALL"), "0834567890",
            "procurement@cpall.example.co.th", "CP All Public Co., Ltd.",
            22000, None, False, False, 355),
    _Person("Lotus Garden", ("โลตัส การ์เด้น", "Lotus Garden Restaurant"), "0845678901",
            "manager@lotusgarden.example.com", "Lotus Garden Restaurant",
            400, None, True, False, 200),
    _Person("Bangkok Steel", ("บางกอกสตีล", "BKK Steel"), "0856789012",
            "admin@bangkoksteel.example.co.th", "Bangkok Steel Industry Co., Ltd.",
            5300, None, False, False, 300),
    _Person("บริษัท ไทยเฟรช", ("ไทยเฟรช", "Thai Fresh"), "0867890123",
            "contact@thaifresh.example.co.th", "Thai Fresh Co., Ltd.",
            2500, None, True, False, 280),
    _Person("Chiang Mai Coffee", ("เชียงใหม่ คอฟฟี่", "CMC"), "0878901234",
            "hello@cmcoffee.example.com", "Chiang Mai Coffee Roasters",
            1200, None, True, False, 250),
    _Person("Phuket Seafood Export", ("ภูเก็ตซีฟู้ด", "Phuket Seafood"), "0889012345",
            "sales@phuketseafood.example.com", "Phuket Seafood Export Co., Ltd.",
            3500, None, False, False, 230),
    _Person("Korat Furniture", ("โคราชเฟอร์นิเจอร์",), "0890123456",
            "info@koratfurniture.example.co.th", "Korat Furniture Ltd., Part.",
            600, None, False, False, 120),
    _Person("Rayong Plastic Industry", ("ระยองพลาสติก", "Rayong Plastic"), "0611234567",
            "purchase@rayongplastic.example.co.th", "Rayong Plastic Industry Co., Ltd.",
            900, None, False, False, 310),
    _Person("Sukhumvit Dental Clinic", ("สุขุมวิทเดนทัล", "Sukhumvit Dental"), "0622345678",
            "frontdesk@skvdental.example.com", "Sukhumvit Dental Clinic",
            300, None, True, False, 45),
    _Person("บ้านขนมไทย", ("Baan Khanom Thai", "Baan Khanom"), "0633456789",
            "baankhanom@example.co.th", "Baan Khanom Thai",
            1500, None, True, False, 290),
    _Person("สมศรี ใจดี", ("Somsri Jaidee", "คุณสมศรี", "Somsri"), "0812223344",
            "somsri.j@example.co.th", None,
            5600, "U_DEMO_LINE_SOMSRI", True, False, 330),
    _Person("Somchai Prasert", ("สมชาย ประเสริฐ", "Somchai"), "0891234567",
            "somchai.p@example.com", None,
            1400, None, False, False, 310),
    _Person("มาลี ศรีสวัสดิ์", ("Malee Srisawat", "คุณมาลี", "Malee"), "0866543210",
            "malee.s@example.co.th", None,
            21000, "U_DEMO_LINE_MALEE", True, False, 345),
    _Person("John Carter", ("จอห์น คาร์เตอร์", "John"), "0957654321",
            "john.carter@example.com", None,
            900, "U_DEMO_LINE_JOHN", False, False, 150),
    _Person("วิชัย รุ่งเรือง", ("Wichai Rungruang",), "0813579246",
            "wichai.r@example.co.th", None,
            300, None, False, False, 90),
    _Person("Emily Wong", ("เอมิลี่ หว่อง",), "0924681357",
            "emily.wong@example.com", None,
            1100, "U4af4980629c0d5b8e1f2a3c4d5e6f7a8", True, False, 180),
    _Person("นภา ทองดี", ("Napa Thongdee", "คุณนภา"), "0842468135",
            "napa.t@example.co.th", None,
            600, "U_DEMO_LINE_NAPA", True, False, 60),
    _Person("Krit Chaiyaporn", ("กฤษ ชัยพร",), "0863692581",
            "krit.c@example.com", None,
            2000, None, False, False, 200),
    _Person("Sarah Johnson", ("ซาร่าห์ จอห์นสัน",), "0974185296",
            "sarah.johnson@example.com", None,
            300, None, True, False, 160),
    _Person("อรุณี แก้วมณี", ("Arunee Kaewmanee",), "0817418529",
            "arunee.k@example.co.th", None,
            5100, None, True, False, 300),
    _Person("Prasit Wongsa", ("ประสิทธิ์ วงศ์สา",), "0829637418",
            "prasit.w@example.com", None,
            0, None, False, False, 20),
    _Person("ปิยะพงษ์ สุขสันต์", ("Piyapong Suksan",), "0838527419",
            "piyapong.s@example.co.th", None,
            700, None, False, False, 210),
    _Person("David Miller", ("เดวิด มิลเลอร์",), "0647539518",
            "david.miller@example.com", None,
            0, None, False, False, 100),
    _Person("ศิริพร บุญมา", ("Siriporn Boonma",), "0859517534",
            "siriporn.b@example.co.th", None,
            1500, None, True, False, 350),
    _Person("Tanawat Kittisak", ("ธนวัฒน์ กิตติศักดิ์",), "0871597532",
            "tanawat.k@example.com", None,
            250, None, False, False, 140),
    _Person("กัญญา มีสุข", ("Kanya Meesuk",), "0883571592",
            "kanya.m@example.co.th", None,
            3000, "U_DEMO_LINE_KANYA", True, False, 270),
    _Person("Michael Chen", ("ไมเคิล เฉิน",), "0967531594",
            "michael.chen@example.com", None,
            400, None, False, False, 75),
    _Person("พรทิพย์ แซ่ลิ้ม", ("Pornthip Saelim",), "0892581473",
            "pornthip.s@example.co.th", None,
            800, None, False, False, 190),
    _Person("สุดารัตน์ พึ่งบุญ", ("Sudarat Phuengboon",), "0802583691",
            "sudarat.p@example.co.th", None,
            1000, None, True, False, 240),
    _Person("Niran Jantarasorn", ("นิรันดร์ จันทรสอน",), "0653691472",
            "niran.j@example.com", None,
            200, None, False, False, 110),
    _Person("อภิญญา เรืองศรี", ("Apinya Ruangsri",), "0614725836",
            "apinya.r@example.co.th", None,
            350, "U_DEMO_LINE_APINYA", True, False, 4),
    _Person("Tom Baker", ("ทอม เบเกอร์",), "0945612378",
            "tom@bakerimports.example.com", "Baker Imports",
            0, None, False, True, 12),
    _Person("วรรณา เจริญผล", ("Wanna Charoenphon",), "0836925814",
            "wanna@wannabeauty.example.co.th", "Wanna Beauty",
            0, None, False, True, 25),
)  # fmt: skip

# (customer, status, days ago placed, items, carrier)
BASE_ORDERS: tuple[tuple[str, OrderStatus, float, tuple[tuple[str, int], ...], str | None], ...] = (
    ("สมศรี ใจดี", OrderStatus.DELIVERED, 40, (("COF-DC250", 2), ("MUG-ELE", 1)), "Kerry Express"),
    ("มาลี ศรีสวัสดิ์", OrderStatus.PAID, 1, (("GFT-BSK", 2),), None),
    ("สมศรี ใจดี", OrderStatus.SHIPPED, 2.5, (("TEA-TH200", 3), ("SNK-PIA6", 2)), "Kerry Express"),
    ("Acme Trading", OrderStatus.DELIVERED, 75, (("PAP-A4-10", 20),), "Flash Express"),
    ("Siam Paper Co.", OrderStatus.PACKED, 1.2, (("COF-DT1K", 10), ("DRP-SET", 2)), None),
    ("John Carter", OrderStatus.PENDING, 0.2, (("TMB-20", 1), ("GRD-MAN", 1)), None),
    ("ซีพีออลล์", OrderStatus.DELIVERED, 200, (("HNY-LG500", 120),), "J&T Express"),
    ("Lotus Garden", OrderStatus.CANCELLED, 20, (("STL-SH5", 4),), None),
    ("Bangkok Steel", OrderStatus.RETURNED, 30, (("GRD-MAN", 2),), "J&T Express"),
    ("มาลี ศรีสวัสดิ์", OrderStatus.DELIVERED, 120, (("GFT-BSK", 5),), "Flash Express"),
    ("บริษัท ไทยเฟรช", OrderStatus.DELIVERED, 5, (("RCE-HM5", 40),), "Thailand Post"),
    ("Chiang Mai Coffee", OrderStatus.PAID, 3, (("DRP-SET", 6),), None),
    ("นภา ทองดี", OrderStatus.SHIPPED, 1.5, (("TEA-MC50", 2),), "Flash Express"),
    ("Emily Wong", OrderStatus.DELIVERED, 10, (("COF-DC250", 4),), "J&T Express"),
    ("วิชัย รุ่งเรือง", OrderStatus.PENDING, 2, (("RCE-HM5", 2),), None),
    ("Somchai Prasert", OrderStatus.CANCELLED, 60, (("TMB-20", 2),), None),
    ("Krit Chaiyaporn", OrderStatus.RETURNED, 90, (("MUG-ELE", 6),), "Thailand Post"),
    ("Sarah Johnson", OrderStatus.DELIVERED, 150, (("HNY-LG500", 3),), "Kerry Express"),
    ("อรุณี แก้วมณี", OrderStatus.DELIVERED, 250, (("GFT-BSK", 1),), "Kerry Express"),
    ("Prasit Wongsa", OrderStatus.PACKED, 0.8, (("COF-DT1K", 1),), None),
    ("สมศรี ใจดี", OrderStatus.DELIVERED, 300, (("RCE-HM5", 2), ("SNK-PIA6", 3)), "Flash Express"),
    ("มาลี ศรีสวัสดิ์", OrderStatus.SHIPPED, 3, (("COF-DT1K", 2), ("GRD-MAN", 1)), "J&T Express"),
    ("Phuket Seafood Export", OrderStatus.DELIVERED, 7, (("BAG-CNV", 100),), "Kerry Express"),
    ("ศิริพร บุญมา", OrderStatus.DELIVERED, 340, (("TEA-TH200", 2),), "Thailand Post"),
    ("อภิญญา เรืองศรี", OrderStatus.PAID, 0.5, (("TMB-20", 2), ("BAG-CNV", 1)), None),
    ("กัญญา มีสุข", OrderStatus.DELIVERED, 25, (("DRP-SET", 1), ("COF-DC250", 2)), "Flash Express"),
    ("Michael Chen", OrderStatus.DELIVERED, 55, (("PAP-A4-5", 3),), "J&T Express"),
    ("บ้านขนมไทย", OrderStatus.DELIVERED, 85, (("SNK-PIA6", 60),), "Thailand Post"),
)

# (customer, title, amount, final stage, stage lost from, owner, created days ago,
#  close date in days from today: past for won/lost, future for open deals)
BASE_DEALS: tuple[tuple[str, str, str, Stage, Stage | None, str, float, int], ...] = (
    ("Acme Trading", "Acme – office coffee annual contract", "80000", Stage.NEGOTIATION, None,
     "U_DEMO_SALES", 45, 10),
    ("Siam Paper Co.", "Siam Paper – 50 gift baskets for clients", "79500", Stage.PROPOSAL,
     None, "U_DEMO_SALES", 12, 20),
    ("ซีพีออลล์", "ซีพีออลล์ – ขนมเปี๊ยะสำหรับสาขา", "1200000", Stage.QUALIFIED, None,
     "U_DEMO_SALES2", 20, 60),
    ("Lotus Garden", "Lotus Garden – steel shelving for the kitchen", "45000", Stage.LEAD, None,
     "U_DEMO_SALES", 3, 30),
    ("Bangkok Steel", "Bangkok Steel – staff New Year gifts", "250000", Stage.WON, None,
     "U_DEMO_SALES2", 70, -4),
    ("บริษัท ไทยเฟรช", "ไทยเฟรช – ข้าวหอมมะลิรายเดือน", "360000", Stage.WON, None,
     "U_DEMO_SALES", 100, -25),
    ("Chiang Mai Coffee", "Chiang Mai Coffee – grinder wholesale", "150000", Stage.LOST,
     Stage.PROPOSAL, "U_DEMO_SALES2", 90, -40),
    ("Phuket Seafood Export", "Phuket Seafood – 2,000 tote bags", "398000", Stage.WON, None,
     "U_DEMO_SALES", 150, -80),
    ("Korat Furniture", "Korat Furniture – showroom coffee corner", "65000", Stage.NEGOTIATION,
     None, "U_DEMO_SALES2", 30, 5),
    ("Rayong Plastic Industry", "Rayong Plastic – canteen tea supply", "120000", Stage.LOST,
     Stage.QUALIFIED, "U_DEMO_SALES", 200, -150),
    ("Sukhumvit Dental Clinic", "Sukhumvit Dental – waiting room drinks", "36000",
     Stage.PROPOSAL, None, "U_DEMO_SALES", 15, 14),
    ("Tom Baker", "Baker Imports – first trial order", "25000", Stage.LEAD, None,
     "U_DEMO_SALES2", 10, 45),
    ("วรรณา เจริญผล", "Wanna Beauty – ของชำร่วยลูกค้า", "55000", Stage.QUALIFIED, None,
     "U_DEMO_SALES", 20, 21),
    ("บ้านขนมไทย", "บ้านขนมไทย – กาแฟรายไตรมาส", "90000", Stage.WON, None,
     "U_DEMO_SALES2", 260, -200),
    ("John Carter", "John Carter – corporate gift sets", "48000", Stage.WON, None,
     "U_DEMO_SALES", 18, -2),
    ("Michael Chen", "Michael Chen – office pantry supply", "30000", Stage.LOST, Stage.LEAD,
     "U_DEMO_SALES2", 60, -30),
)  # fmt: skip

# (owner, title, due in days from today or None, customer or None, done days ago or None,
#  created days ago)
BASE_TASKS: tuple[tuple[str, str, int | None, str | None, float | None, float], ...] = (
    ("U_DEMO_SALES", "Visit Lotus Garden with shelving samples", 3, "Lotus Garden", None, 2),
    ("U_DEMO_SALES", "โทรหา Acme เรื่องสัญญากาแฟรายปี", 0, "Acme Trading", None, 5),
    ("U_DEMO_SALES", "Send the revised quote to Siam Paper", 0, "Siam Paper Co.", None, 3),
    ("U_DEMO_SALES2", "Follow up Korat Furniture on the negotiation", -2, "Korat Furniture",
     None, 9),
    ("U_DEMO_SALES", "ส่งตัวอย่างขนมให้ซีพีออลล์", -5, "ซีพีออลล์", None, 14),
    ("U_DEMO_SUPPORT", "Call คุณสมศรี about the broken mug", 0, "สมศรี ใจดี", None, 0.1),
    ("U_DEMO_SALES2", "Prepare the Bangkok Steel delivery schedule", -6, "Bangkok Steel", 6, 12),
    ("U_DEMO_SALES", "Thank-you call to ไทยเฟรช after the won deal", -20, "บริษัท ไทยเฟรช", 21,
     25),
    ("U_DEMO_MANAGER", "Review the quarter's pipeline with the sales team", 5, None, None, 1),
    ("U_DEMO_SUPPORT", "Check the carrier claim for the returned grinders", -25,
     "Bangkok Steel", 24, 28),
    ("U_DEMO_SALES2", "ติดตามใบเสนอราคา Sukhumvit Dental", -1, "Sukhumvit Dental Clinic",
     None, 7),
    ("U_DEMO_SALES", "Qualify Wanna Beauty's souvenir order", 2, "วรรณา เจริญผล", None, 4),
)  # fmt: skip

# (customer, subject, description, priority, final status, created hours ago, channel,
#  assignee, goes through pending)
BASE_TICKETS: tuple[
    tuple[str | None, str, str, Priority, TicketStatus, float, str, str | None, bool], ...
] = (
    ("สมศรี ใจดี", "แก้วที่ส่งมาแตก / Mug arrived broken",
     "ลูกค้าแจ้งว่าแก้วลายช้างแตกระหว่างขนส่ง ขอเปลี่ยนใบใหม่", Priority.HIGH,
     TicketStatus.OPEN, 3, "line", "U_DEMO_SUPPORT", False),
    ("John Carter", "Wrong tumbler colour delivered",
     "Ordered black, received white. Wants an exchange.", Priority.NORMAL,
     TicketStatus.OPEN, 30, "line", None, False),
    ("มาลี ศรีสวัสดิ์", "ขอใบกำกับภาษีเต็มรูป",
     "ต้องการใบกำกับภาษีในนามบริษัท รอลูกค้าส่งเลขผู้เสียภาษี", Priority.LOW,
     TicketStatus.PENDING, 50, "line", "U_DEMO_SUPPORT", True),
    ("Acme Trading", "Invoice amount does not match the PO",
     "Acme's accounts team says the invoice is THB 1,250 higher than the PO.", Priority.URGENT,
     TicketStatus.OPEN, 2, "slack", "U_DEMO_SUPPORT", False),
    ("Bangkok Steel", "Grinder handle broken, return requested",
     "Two grinders have loose handles; customer sends them back.", Priority.HIGH,
     TicketStatus.RESOLVED, 26 * 24, "slack", "U_DEMO_SUPPORT", True),
    ("นภา ทองดี", "สอบถามสถานะการจัดส่ง",
     "ลูกค้าถามว่าชาเขียวจะถึงวันไหน", Priority.NORMAL,
     TicketStatus.RESOLVED, 20, "line", "U_DEMO_SUPPORT", False),
    ("Krit Chaiyaporn", "Refund for returned mugs not received",
     "Returned six mugs two weeks ago; refund still missing.", Priority.URGENT,
     TicketStatus.CLOSED, 80 * 24, "line", "U_DEMO_SUPPORT", True),
    ("Siam Paper Co.", "Delivery needed before 9 am",
     "Their loading dock closes at 9 am; asked for early delivery.", Priority.LOW,
     TicketStatus.CLOSED, 100 * 24, "slack", "U_DEMO_SUPPORT", False),
    ("Emily Wong", "Points not credited for last order",
     "Customer says the points for her last coffee order are missing.", Priority.NORMAL,
     TicketStatus.PENDING, 6 * 24, "line", "U_DEMO_SUPPORT", True),
    ("วิชัย รุ่งเรือง", "ขอเปลี่ยนที่อยู่จัดส่ง",
     "ย้ายบ้านไปนนทบุรี ขอเปลี่ยนที่อยู่ก่อนส่งของ", Priority.HIGH,
     TicketStatus.OPEN, 5, "line", None, False),
    ("Lotus Garden", "Please cancel the shelving order",
     "Kitchen renovation postponed; cancel the steel shelves.", Priority.NORMAL,
     TicketStatus.CLOSED, 20 * 24, "slack", "U_DEMO_SUPPORT", False),
    ("Chiang Mai Coffee", "Wholesale price list request",
     "Asked for the wholesale price list for drip sets.", Priority.LOW,
     TicketStatus.RESOLVED, 10 * 24, "slack", "U_DEMO_SUPPORT", False),
    (None, "LINE rich menu shows an old promotion",
     "A customer screenshot shows last month's promotion in the rich menu.", Priority.NORMAL,
     TicketStatus.OPEN, 28, "slack", None, False),
)  # fmt: skip

# (customer, type, staff or None, days ago, note)
BASE_INTERACTIONS: tuple[tuple[str, InteractionType, str | None, float, str], ...] = (
    ("Siam Paper Co.", InteractionType.CALL, "U_DEMO_SALES", 1,
     "Called Siam Paper, they want a quote for 50 gift baskets"),
    ("Acme Trading", InteractionType.MEETING, "U_DEMO_SALES", 6,
     "ประชุมกับฝ่ายจัดซื้อ Acme เรื่องสัญญากาแฟรายปี ต่อรองราคาได้ 80k"),
    ("Lotus Garden", InteractionType.VISIT, "U_DEMO_SALES", 3,
     "Visited the restaurant, measured the kitchen for shelves"),
    ("ซีพีออลล์", InteractionType.EMAIL, "U_DEMO_SALES2", 8,
     "ส่งอีเมลแคตตาล็อกขนมเปี๊ยะและราคาส่งให้ฝ่ายจัดซื้อ"),
    ("สมศรี ใจดี", InteractionType.CHAT, None, 0.15,
     "ลูกค้าถามทาง LINE ว่า ORD-3003 จัดส่งหรือยัง"),
    ("มาลี ศรีสวัสดิ์", InteractionType.CHAT, None, 2, "Asked about her points balance on LINE"),
    ("Bangkok Steel", InteractionType.NOTE, "U_DEMO_SALES2", 4,
     "Won the New Year gift deal; deliver in two lots"),
    ("Korat Furniture", InteractionType.CALL, "U_DEMO_SALES2", 2,
     "โทรคุยเรื่องส่วนลด ลูกค้าขอ 10% ถ้าสั่งเกิน 60k"),
    ("Chiang Mai Coffee", InteractionType.EMAIL, "U_DEMO_SALES2", 41,
     "They went with another supplier for grinders"),
    ("บริษัท ไทยเฟรช", InteractionType.VISIT, "U_DEMO_SALES", 27,
     "เยี่ยมลูกค้าที่โกดัง ตกลงสั่งข้าวหอมมะลิรายเดือน"),
    ("Sukhumvit Dental Clinic", InteractionType.MEETING, "U_DEMO_SALES", 14,
     "Presented the waiting-room drinks package"),
    ("John Carter", InteractionType.EMAIL, "U_DEMO_SALES", 3,
     "Sent the signed order confirmation for the gift sets"),
    ("Tom Baker", InteractionType.CALL, "U_DEMO_SALES2", 10,
     "Inbound call, interested in importing Thai tea"),
    ("วรรณา เจริญผล", InteractionType.CHAT, "U_DEMO_SALES", 20,
     "ทักมาทาง LINE สอบถามของชำร่วย 300 ชิ้น"),
    ("Emily Wong", InteractionType.NOTE, "U_DEMO_SUPPORT", 5,
     "Checked her ledger: points arrive after delivery is confirmed"),
    ("Phuket Seafood Export", InteractionType.CALL, "U_DEMO_SALES", 65,
     "Reorder call: another 1,000 tote bags next quarter"),
    ("Krit Chaiyaporn", InteractionType.NOTE, "U_DEMO_SUPPORT", 79,
     "Refund confirmed by finance"),
    ("กัญญา มีสุข", InteractionType.CHAT, None, 24, "ขอบคุณสำหรับชุดดริป ชอบมากค่ะ"),
    ("Michael Chen", InteractionType.MEETING, "U_DEMO_SALES2", 31,
     "Pantry supply: budget frozen until next year"),
    ("บ้านขนมไทย", InteractionType.VISIT, "U_DEMO_SALES2", 120,
     "ไปดูหน้าร้าน วางแผนโปรโมชันกาแฟคู่ขนม"),
    ("Rayong Plastic Industry", InteractionType.CALL, "U_DEMO_SALES", 160,
     "Canteen tea supply on hold; they renewed with their old vendor"),
)  # fmt: skip

# (customer, days ago, kind, delta, reason, reference, actor)
BASE_POINTS: tuple[tuple[str, float, LedgerKind, int, str, str | None, str], ...] = (
    ("สมศรี ใจดี", 100, LedgerKind.ADJUST, 100, "birthday bonus", None, "slack:U_DEMO_SUPPORT"),
    ("สมศรี ใจดี", 20, LedgerKind.REDEEM, -300, "reward: free coffee", "COFFEE-FREE",
     "line:U_DEMO_LINE_SOMSRI"),
    ("มาลี ศรีสวัสดิ์", 60, LedgerKind.REDEEM, -4500, "reward: THB 500 voucher", "VOUCHER500",
     "line:U_DEMO_LINE_MALEE"),
    ("มาลี ศรีสวัสดิ์", 10, LedgerKind.REDEEM, -800, "reward: canvas tote bag", "TOTE",
     "line:U_DEMO_LINE_MALEE"),
    ("John Carter", 15, LedgerKind.REDEEM, -500, "reward: free delivery", "FREESHIP",
     "line:U_DEMO_LINE_JOHN"),
    ("Emily Wong", 8, LedgerKind.ADJUST, -50, "correction: duplicate promotion points", None,
     "slack:U_DEMO_SUPPORT"),
    ("Acme Trading", 200, LedgerKind.ADJUST, 1000, "B2B welcome bonus", None,
     "slack:U_DEMO_MANAGER"),
    ("กัญญา มีสุข", 5, LedgerKind.REDEEM, -1000, "reward: THB 100 voucher", "VOUCHER100",
     "line:U_DEMO_LINE_KANYA"),
    ("อรุณี แก้วมณี", 30, LedgerKind.REDEEM, -2500, "reward: khui tumbler", "TUMBLER",
     "slack:U_DEMO_SUPPORT"),
)  # fmt: skip

# (code, Thai name, English name, points, stock or None for unlimited, active)
REWARDS: tuple[tuple[str, str, str, int, int | None, bool], ...] = (
    ("VOUCHER100", "บัตรกำนัล 100 บาท", "THB 100 voucher", 1000, None, True),
    ("VOUCHER500", "บัตรกำนัล 500 บาท", "THB 500 voucher", 4500, None, True),
    ("COFFEE-FREE", "กาแฟฟรี 1 แก้ว", "Free coffee", 300, None, True),
    ("FREESHIP", "ส่งฟรี 1 ครั้ง", "Free delivery", 500, None, True),
    ("TOTE", "กระเป๋าผ้า khui", "Canvas tote bag", 800, 40, True),
    ("TUMBLER", "แก้วเก็บความเย็น khui", "khui tumbler", 2500, 25, True),
    ("WORKSHOP", "เวิร์กช็อปดริปกาแฟ 1 ที่นั่ง", "Pour-over workshop seat", 6000, 5, True),
    ("GRINDER", "เครื่องบดกาแฟมือหมุน", "Manual coffee grinder", 12000, 0, True),
    ("SONGKRAN-TEE", "เสื้อยืดสงกรานต์", "Songkran T-shirt", 700, 0, False),
)

# (key, questions, Thai answer, English answer)
FAQ: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("opening_hours",
     ("ร้านเปิดกี่โมง", "ร้านปิดวันไหนบ้างคะ", "เปิดวันอาทิตย์ไหม", "what time do you open",
      "opening hours", "are you open on Sunday"),
     "ร้านเปิดทุกวัน จันทร์–เสาร์ 09:00–20:00 น. อาทิตย์ 10:00–18:00 น. "
     "ปิดวันขึ้นปีใหม่ (1 ม.ค.) และวันสงกรานต์ (13–15 เม.ย.)",
     "We are open every day: Mon–Sat 09:00–20:00, Sun 10:00–18:00. Closed on New Year's Day "
     "(1 Jan) and during Songkran (13–15 Apr)."),
    ("delivery_areas",
     ("ส่งต่างจังหวัดไหม", "ค่าส่งเท่าไหร่", "ส่งฟรีไหมคะ", "do you deliver upcountry",
      "how much is shipping", "delivery fee"),
     "จัดส่งทั่วประเทศ กรุงเทพฯ และปริมณฑล 50 บาท ต่างจังหวัด 80 บาท "
     "สั่งครบ 1,000 บาท (กทม.) หรือ 1,500 บาท (ต่างจังหวัด) ส่งฟรี พื้นที่เกาะ +50 บาท",
     "We deliver nationwide: Bangkok and vicinity THB 50, upcountry THB 80. Free delivery from "
     "THB 1,000 in Bangkok or THB 1,500 upcountry; islands add THB 50."),
    ("returns",
     ("คืนสินค้าได้ไหม", "ของเสียเปลี่ยนได้ไหมคะ", "ของที่ส่งมาใช้ไม่ได้", "return policy",
      "can I return an item", "refund"),
     "คืนหรือเปลี่ยนสินค้าได้ภายใน 14 วันหลังได้รับ สินค้าต้องไม่ผ่านการใช้งานและอยู่ในแพ็กเกจเดิม "
     "สินค้าชำรุดเปลี่ยนให้ฟรี คืนเงินภายใน 7 วันทำการ",
     "Returns and exchanges within 14 days of delivery, unused and in the original packaging. "
     "Damaged items are exchanged free; refunds take up to 7 business days."),
    ("payment_methods",
     ("จ่ายเงินทางไหนได้บ้าง", "โอนเงินได้ไหม", "มีเก็บเงินปลายทางไหม", "payment methods",
      "do you accept credit cards", "can I pay by PromptPay"),
     "ชำระได้ทางพร้อมเพย์ QR, บัตรเครดิต/เดบิต (Visa, Mastercard, JCB), โอนผ่านธนาคาร, "
     "TrueMoney Wallet และเก็บเงินปลายทางสำหรับยอดไม่เกิน 5,000 บาท",
     "We accept PromptPay QR, credit and debit cards (Visa, Mastercard, JCB), bank transfer, "
     "TrueMoney Wallet, and cash on delivery for orders up to THB 5,000."),
    ("branches",
     ("มีสาขาที่ไหนบ้าง", "ร้านอยู่ที่ไหน", "สาขาเชียงใหม่อยู่ตรงไหน", "where are your branches",
      "store locations", "shop address"),
     "มี 3 สาขา: สยามสแควร์ ซอย 3 (กรุงเทพฯ), ถนนนิมมานเหมินท์ ซอย 9 (เชียงใหม่) "
     "และเซ็นทรัล ภูเก็ต ชั้น 2",
     "We have three shops: Siam Square Soi 3 (Bangkok), Nimmanhaemin Soi 9 (Chiang Mai) and "
     "Central Phuket, 2nd floor."),
    ("points_expiry",
     ("แต้มหมดอายุเมื่อไหร่", "แต้มมีอายุกี่ปี", "do points expire", "when do my points expire",
      "points expiry"),
     "แต้มที่ได้รับในแต่ละปีจะหมดอายุวันที่ 31 ธ.ค. ของปีถัดไป เช่น แต้มปี 2568 หมดอายุ 31 ธ.ค. 2569",
     "Points earned in a year expire on 31 December of the following year; points from 2025 "
     "expire on 31 December 2026."),
    ("how_to_redeem",
     ("แลกแต้มยังไง", "แลกของรางวัลได้ที่ไหน", "มีของรางวัลอะไรบ้าง", "how do I redeem points",
      "what rewards can I get", "redeem reward"),
     "พิมพ์ \"แลกแต้ม\" ใน LINE เพื่อดูของรางวัล แล้วเลือกรายการที่ต้องการ ระบบหักแต้มทันที "
     "และแจ้งเลขที่การแลกทาง LINE แสดงเลขนี้กับพนักงานเพื่อรับของรางวัล",
     "Type \"redeem\" in our LINE chat to see the rewards, then pick one. Points are deducted at "
     "once and you get a redemption number in LINE: show it to our staff to receive the reward."),
    ("weekend_delivery",
     ("ส่งของวันเสาร์อาทิตย์ไหม", "วันหยุดส่งไหมคะ", "do you deliver on weekends?",
      "weekend delivery", "Sunday delivery"),
     "กรุงเทพฯ และปริมณฑลส่งวันเสาร์ด้วย Flash Express และ Kerry Express วันอาทิตย์และวันหยุด"
     "นักขัตฤกษ์งดจัดส่ง ต่างจังหวัดส่งเฉพาะวันทำการ",
     "Bangkok and vicinity get Saturday delivery by Flash Express and Kerry Express. No "
     "deliveries on Sundays or public holidays; upcountry orders ship on business days."),
    ("contact",
     ("ติดต่อร้านยังไง", "ขอเบอร์โทรร้าน", "ขอสายเจ้าหน้าที่", "contact us", "phone number",
      "how can I talk to staff"),
     "โทร 02-123-4567 (ทุกวัน 09:00–18:00 น.) หรืออีเมล hello@khui-shop.example",
     "Call 02-123-4567 (daily 09:00–18:00) or email hello@khui-shop.example."),
    ("tax_invoice",
     ("ขอใบกำกับภาษีได้ไหม", "ออกใบกำกับภาษีเต็มรูป", "ขอใบเสร็จในนามบริษัท", "tax invoice",
      "can I get a full tax invoice", "company receipt"),
     "ขอใบกำกับภาษีเต็มรูปได้ภายใน 7 วันหลังสั่งซื้อ แจ้งชื่อบริษัท เลขประจำตัวผู้เสียภาษี 13 หลัก "
     "และที่อยู่ ส่งเป็น e-Tax Invoice ทางอีเมล",
     "Full tax invoices are available within 7 days of purchase: send the company name, 13-digit "
     "tax ID and address, and we email an e-Tax Invoice."),
    ("order_tracking",
     ("เช็กสถานะออเดอร์ยังไง", "ของถึงเมื่อไหร่", "เลขพัสดุ", "how do I track my order",
      "where is my order", "tracking number"),
     "พิมพ์เลขออเดอร์ เช่น ORD-3003 ใน LINE ระบบจะแจ้งสถานะ ขนส่ง และเลขพัสดุให้",
     "Send your order number, e.g. ORD-3003, in LINE and we reply with its status, carrier and "
     "tracking number."),
    ("earn_points",
     ("ซื้อเท่าไหร่ได้แต้ม", "ได้แต้มยังไง", "สมาชิกระดับไหนได้แต้มเพิ่ม", "how do I earn points",
      "how many points per baht", "member tiers"),
     "ทุก 25 บาทได้ 1 แต้ม สมาชิก Silver ได้แต้ม ×1.1, Gold ×1.25, Platinum ×1.5 "
     "ระดับสมาชิกคิดจากแต้มที่ได้รับใน 12 เดือน: Silver 1,000 Gold 5,000 Platinum 20,000 แต้ม",
     "Every THB 25 earns 1 point; Silver earns ×1.1, Gold ×1.25, Platinum ×1.5. Tiers count "
     "points earned in 12 months: Silver 1,000, Gold 5,000, Platinum 20,000."),
)  # fmt: skip

# --------------------------------------------------------------------------- synthetic names

THAI_FIRST: tuple[tuple[str, str], ...] = (
    ("สมชาย", "somchai"), ("สมศักดิ์", "somsak"), ("สมหญิง", "somying"), ("สุดา", "suda"),
    ("วิไล", "wilai"), ("ประเสริฐ", "prasert"), ("อนุชา", "anucha"), ("กมล", "kamon"),
    ("จิราพร", "jiraporn"), ("ณัฐพล", "nattapon"), ("ธนพร", "thanaporn"), ("ปวีณา", "paweena"),
    ("พิชัย", "pichai"), ("รัตนา", "rattana"), ("วีระ", "weera"), ("ศิริชัย", "sirichai"),
    ("สุภาพร", "supaporn"), ("อรทัย", "orathai"), ("ชนิดา", "chanida"), ("ธีรวัฒน์", "teerawat"),
    ("นันทนา", "nantana"), ("บุญชัย", "boonchai"), ("ปิยะนุช", "piyanuch"), ("มานพ", "manop"),
    ("ยุพา", "yupa"), ("วันชัย", "wanchai"), ("ศุภชัย", "suppachai"), ("อัญชลี", "anchalee"),
    ("เกศินี", "kesinee"), ("จักรพันธ์", "jakkapan"), ("ชัยวัฒน์", "chaiwat"), ("ดวงใจ", "duangjai"),
    ("ทองใบ", "thongbai"), ("นิตยา", "nittaya"), ("พรรณี", "pannee"), ("ภานุ", "panu"),
    ("เยาวลักษณ์", "yaowalak"), ("สายสุนีย์", "saisunee"), ("อำนาจ", "amnat"),
    ("กิตติพงษ์", "kittipong"),
)  # fmt: skip
THAI_SYLLABLES: tuple[tuple[str, str], ...] = (
    ("ศรี", "sri"), ("สุข", "suk"), ("ใจ", "jai"), ("ดี", "dee"), ("ทอง", "thong"),
    ("แก้ว", "kaew"), ("บุญ", "boon"), ("มี", "mee"), ("วงศ์", "wong"), ("ชัย", "chai"),
    ("เจริญ", "charoen"), ("รุ่ง", "rung"), ("เรือง", "rueang"), ("สวัสดิ์", "sawat"),
    ("พร", "porn"), ("มณี", "manee"), ("กิตติ", "kitti"), ("ศักดิ์", "sak"), ("วัฒนา", "wattana"),
    ("สมบูรณ์", "somboon"), ("ทรัพย์", "sap"), ("จันทร์", "chan"), ("เพชร", "phet"),
    ("สิทธิ์", "sit"), ("พงษ์", "pong"), ("ประเสริฐ", "prasert"), ("นาค", "nak"), ("อินทร์", "in"),
)  # fmt: skip
EN_FIRST = (
    "James", "Emma", "Oliver", "Sophia", "Daniel", "Chloe", "Lucas", "Grace", "Ethan", "Hannah",
    "Noah", "Mia", "Liam", "Olivia", "Ryan", "Julia", "Adam", "Sara", "Kevin", "Laura", "Mark",
    "Anna", "Peter", "Kate", "Chris", "Amy", "Ben", "Lily", "Sam", "Zoe",
)  # fmt: skip
EN_LAST = (
    "Smith", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Hall", "Young", "King", "Wright",
    "Lee", "Chen", "Tan", "Lim", "Schmidt", "Dubois", "Rossi", "Kim", "Park", "Nguyen", "Sato",
    "Singh", "Patel", "Evans", "Hughes", "Wood", "Green", "Baker", "Turner", "Scott",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.co.th", "mail.example.net")

DEAL_TITLES = (
    "{name} – office coffee supply",
    "{name} – corporate gift baskets",
    "{name} – ของขวัญปีใหม่พนักงาน",
    "{name} – tumblers with company logo",
    "{name} – ชาไทยสำหรับร้านค้า",
    "{name} – pantry restock contract",
)
TICKET_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("สินค้าชำรุด", "สินค้าที่ได้รับเสียหายระหว่างขนส่ง"),
    ("Parcel not delivered yet", "Tracking has not moved for three days."),
    ("ขอเปลี่ยนที่อยู่จัดส่ง", "ลูกค้าต้องการเปลี่ยนที่อยู่ก่อนจัดส่ง"),
    ("Points missing after purchase", "Customer expects points for a delivered order."),
    ("ขอใบกำกับภาษี", "ต้องการใบกำกับภาษีเต็มรูปในนามบริษัท"),
    ("Wrong item received", "Received a different product from the one ordered."),
    ("ขอยกเลิกคำสั่งซื้อ", "ลูกค้าต้องการยกเลิกออเดอร์"),
    ("Cannot redeem reward", "Redeem button in LINE shows an error."),
)
INTERACTION_NOTES: dict[InteractionType, tuple[str, ...]] = {
    InteractionType.CALL: ("Follow-up call after delivery", "โทรแจ้งโปรโมชันเดือนนี้",
                           "Called about a repeat order"),
    InteractionType.MEETING: ("Quarterly review meeting", "นัดคุยเรื่องสั่งซื้อจำนวนมาก"),
    InteractionType.EMAIL: ("Sent the new catalogue", "ส่งใบเสนอราคาทางอีเมล"),
    InteractionType.VISIT: ("Visited the shop", "แวะเยี่ยมลูกค้าที่ร้าน"),
    InteractionType.CHAT: ("Asked about delivery times on LINE", "สอบถามแต้มสะสมทาง LINE",
                           "ถามเรื่องสินค้าใหม่"),
    InteractionType.NOTE: ("Prefers morning deliveries", "ลูกค้าชอบกาแฟคั่วเข้ม",
                           "VIP: handle with care"),
}  # fmt: skip


# --------------------------------------------------------------------------- entry point


def seed_demo(
    uow_factory: Callable[[], UnitOfWork],
    *,
    scale: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    seed: int = 7,
    now: datetime | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> DemoSummary:
    """Seed the demo data set once, then top synthetic customers up to `scale`."""
    moment = utcnow() if now is None else now
    if moment.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    zone = ZoneInfo(timezone)
    counts = _Counts()
    with uow_factory() as uow:
        present = _has_demo(uow.session)
        if not present:
            try:
                counts.add(_seed_base(uow, moment, zone, seed))
                uow.commit()
            except IntegrityError:
                # Another process seeded at the same moment; its data stands.
                uow.rollback()
                if not _has_demo(uow.session):
                    raise
                counts = _Counts()
    if scale:
        counts.add(_seed_scale(uow_factory, scale, progress, seed, moment, zone))
    return counts.summary()


def _has_demo(session: Session) -> bool:
    return session.scalar(select(Staff.id).where(Staff.slack_user_id == DEMO_MARKER)) is not None


# --------------------------------------------------------------------------- base set


def _seed_base(uow: UnitOfWork, now: datetime, zone: ZoneInfo, seed: int) -> _Counts:
    session = uow.session
    actor = uow.actor.ref
    rng = random.Random(f"{seed}:base")
    counts = _Counts()

    existing_staff = set(session.scalars(select(Staff.slack_user_id)))
    counts.staff = _insert(
        session,
        Staff,
        [
            {
                "slack_user_id": slack_id,
                "name": name,
                "role": role,
                "active": True,
                "created_at": now - timedelta(days=364),
            }
            for slack_id, name, role in STAFF
            if slack_id not in existing_staff
        ],
    )

    existing_rules = set(session.scalars(select(TierRule.tier)))
    rules = [
        {"tier": tier, "min_points": low, "earn_percent": pct}
        for tier, low, pct in TIER_RULES
        if tier not in existing_rules
    ]
    _insert(session, TierRule, rules)

    existing_codes = set(session.scalars(select(Reward.code)))
    rewards = [
        {
            "code": code,
            "name_th": th,
            "name_en": en,
            "points_cost": cost,
            "stock": stock,
            "active": active,
            "image_url": None,
        }
        for code, th, en, cost, stock, active in REWARDS
        if code not in existing_codes
    ]
    counts.rewards = _insert(session, Reward, rewards)

    existing_keys = set(session.scalars(select(KnowledgeEntry.key)))
    faq = [
        {
            "key": key,
            "questions": list(questions),
            "answer_th": th,
            "answer_en": en,
            "updated_by": actor,
            "updated_at": now - timedelta(days=30),
        }
        for key, questions, th, en in FAQ
        if key not in existing_keys
    ]
    counts.faq_entries = _insert(session, KnowledgeEntry, faq)

    staff_ids = _staff_ids(session)
    taken = _taken_identities(session)
    batch = _base_batch(now, zone, rng, taken)
    counts.add(_write(session, batch, staff_ids, _Numbers(), now, actor))
    return counts


def _base_batch(now: datetime, zone: ZoneInfo, rng: random.Random, taken: _Taken) -> _Batch:
    batch = _Batch()
    index: dict[str, int] = {}
    for n, person in enumerate(PEOPLE):
        index[person.name] = len(batch.customers)
        created = now - timedelta(days=person.since_days, hours=rng.uniform(0, 8))
        batch.customers.append(
            _CustomerPlan(
                row={
                    "name": person.name,
                    "phone": taken.claim_phone(person.phone),
                    "email": person.email,
                    "company": person.company,
                    "member_id": taken.claim_member(f"M-{10001 + n}"),
                    "line_user_id": taken.claim_line(person.line_user_id),
                    "line_followed": True,
                    "marketing_consent": person.consent,
                    "consent_at": created + timedelta(minutes=5) if person.consent else None,
                    "consent_source": "import" if person.consent else None,
                    "lifecycle": Lifecycle.LEAD if person.lead else Lifecycle.CUSTOMER,
                    "created_at": created,
                    "updated_at": created,
                },
                aliases=person.aliases,
                opening=person.points,
            )
        )

    def customer_start(name: str) -> datetime:
        start: datetime = batch.customers[index[name]].row["created_at"]
        return start

    for name, status, days, items, carrier in BASE_ORDERS:
        placed = max(now - timedelta(days=days), customer_start(name) + timedelta(hours=1))
        batch.orders.append(
            _OrderPlan(
                customer=index[name],
                status=status,
                steps=_order_steps(status, placed, now),
                items=list(items),
                carrier=carrier,
                tracking=_tracking(carrier, rng) if carrier else None,
            )
        )

    today = now.astimezone(zone).date()
    for name, title, amount, stage, lost_from, owner, days, close_in in BASE_DEALS:
        created = max(now - timedelta(days=days), customer_start(name))
        close = today + timedelta(days=close_in)
        if stage in (Stage.WON, Stage.LOST):
            end = max(created, min(now, datetime.combine(close, time(11, 0), tzinfo=zone)))
        else:
            # an open deal reached its stage halfway through its life: the older ones have
            # sat there for weeks ("stuck deals")
            end = created + (now - created) * 0.5
        batch.deals.append(
            _DealPlan(
                customer=index[name],
                owner=owner,
                title=title,
                amount=Decimal(amount),
                steps=_spread(_deal_path(stage, lost_from), created, end),
                close_date=close,
            )
        )

    for owner, title, due_in, cname, done_days, created_days in BASE_TASKS:
        batch.tasks.append(
            _TaskPlan(
                owner=owner,
                title=title,
                due=today + timedelta(days=due_in) if due_in is not None else None,
                customer=index[cname] if cname else None,
                created_at=now - timedelta(days=created_days),
                done_at=now - timedelta(days=done_days) if done_days is not None else None,
            )
        )

    for cname, subject, desc, prio, state, hours, channel, assignee, via_pending in BASE_TICKETS:
        created = now - timedelta(hours=hours)
        batch.tickets.append(
            _TicketPlan(
                customer=index[cname] if cname else None,
                subject=subject,
                description=desc,
                priority=prio,
                channel=channel,
                assignee=assignee,
                steps=_ticket_steps(state, prio, created, now, via_pending, rng),
            )
        )

    for cname, itype, staff, days, note in BASE_INTERACTIONS:
        batch.interactions.append(
            _InteractionPlan(
                customer=index[cname],
                staff=staff,
                type=itype,
                note=note,
                channel="line" if staff is None else "slack",
                at=max(now - timedelta(days=days), customer_start(cname)),
            )
        )

    for cname, days, kind, delta, reason, ref, who in BASE_POINTS:
        batch.customers[index[cname]].extras.append(
            _PointsEvent(now - timedelta(days=days), kind, delta, reason, ref, who)
        )
    return batch


# --------------------------------------------------------------------------- synthetic set


def _seed_scale(
    uow_factory: Callable[[], UnitOfWork],
    scale: int,
    progress: Callable[[int, int], None] | None,
    seed: int,
    now: datetime,
    zone: ZoneInfo,
) -> _Counts:
    counts = _Counts()
    with uow_factory() as uow:
        done = _scale_done(uow.session)
        if done >= scale:
            if progress:
                progress(scale, scale)
            return counts
        taken = _taken_identities(uow.session)
        staff_ids = _staff_ids(uow.session)
    numbers = _Numbers()
    while done < scale:
        size = min(BATCH_SIZE, scale - done)
        rng = random.Random(f"{seed}:scale:{done}")
        batch = _synthetic_batch(rng, done, size, now, zone, taken)
        with uow_factory() as uow:
            written = _write(uow.session, batch, staff_ids, numbers, now, uow.actor.ref)
            _set_scale_done(uow.session, done + size)
            uow.commit()
        written.synthetic_customers = size
        counts.add(written)
        done += size
        if progress:
            progress(done, scale)
    return counts


def _scale_done(session: Session) -> int:
    value = session.scalar(
        select(NumberSequence.next_value).where(NumberSequence.name == SCALE_COUNTER)
    )
    return int(value or 0)


def _set_scale_done(session: Session, done: int) -> None:
    updated = session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == SCALE_COUNTER)
        .values(next_value=done)
        .returning(NumberSequence.name)
    ).first()
    if updated is None:
        session.execute(insert(NumberSequence), [{"name": SCALE_COUNTER, "next_value": done}])


def _synthetic_phone(k: int) -> str:
    # A bijection of k onto 3 x 10^8 numbers (the multiplier is coprime to the modulus),
    # so no two synthetic customers share a phone and neighbours do not look sequential.
    n = (k * 104_729_891 + 59_342_117) % 300_000_000
    return f"{('06', '08', '09')[n // 100_000_000]}{n % 100_000_000:08d}"


def _synthetic_batch(
    rng: random.Random, start: int, size: int, now: datetime, zone: ZoneInfo, taken: _Taken
) -> _Batch:
    batch = _Batch()
    year_seconds = TIER_WINDOW.total_seconds()
    today = now.astimezone(zone).date()
    for k in range(start, start + size):
        ci = len(batch.customers)
        if rng.random() < 0.75:
            first_th, first_en = rng.choice(THAI_FIRST)
            (s1_th, s1_en), (s2_th, s2_en) = rng.sample(THAI_SYLLABLES, 2)
            name = f"{first_th} {s1_th}{s2_th}"
            handle = f"{first_en}.{s1_en}{s2_en}"
        else:
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            name = f"{first} {last}"
            handle = f"{first}.{last}".lower()
        company = None
        if rng.random() < 0.12:
            company = name.split(" ")[-1] + rng.choice(
                (" Trading", " Co., Ltd.", " Shop", " Group")
            )
        created = now - timedelta(seconds=rng.uniform(60, year_seconds - 86400))
        lead = rng.random() < 0.03
        has_line = rng.random() < 0.35
        consent = rng.random() < (0.55 if has_line else 0.2)
        tier_roll = rng.random()
        if lead:
            opening = 0
        elif tier_roll < 0.04:
            opening = rng.randint(20000, 26000)
        elif tier_roll < 0.17:
            opening = rng.randint(5000, 8000)
        elif tier_roll < 0.45:
            opening = rng.randint(1000, 3000)
        else:
            opening = rng.choice((0, rng.randint(50, 900)))
        batch.customers.append(
            _CustomerPlan(
                row={
                    "name": name,
                    "phone": taken.claim_phone(_synthetic_phone(k)),
                    "email": f"{handle}{k}@{rng.choice(EMAIL_DOMAINS)}",
                    "company": company,
                    "member_id": taken.claim_member(f"M-{SYNTHETIC_MEMBER_BASE + k}"),
                    "line_user_id": (
                        taken.claim_line(f"U{rng.getrandbits(128):032x}") if has_line else None
                    ),
                    "line_followed": rng.random() > 0.05,
                    "marketing_consent": consent,
                    "consent_at": created + timedelta(hours=rng.uniform(0, 48))
                    if consent
                    else None,
                    "consent_source": rng.choice(("import", "line")) if consent else None,
                    "lifecycle": Lifecycle.LEAD if lead else Lifecycle.CUSTOMER,
                    "created_at": created,
                    "updated_at": created,
                },
                opening=opening,
            )
        )
        life = (now - created).total_seconds()
        if not lead:
            for _ in range(rng.choices((0, 1, 2, 3, 4, 5), (15, 25, 25, 20, 10, 5))[0]):
                placed = _between(rng, created, now)
                status = _synthetic_order_status(rng, (now - placed).total_seconds() / 86400)
                carrier = rng.choice(CARRIERS) if status in SHIPPED_STATES else None
                qty_max = 12 if company else 3
                lines = rng.choices((1, 2, 3, 4), (40, 35, 18, 7))[0]
                batch.orders.append(
                    _OrderPlan(
                        customer=ci,
                        status=status,
                        steps=_order_steps(status, placed, now),
                        items=[(sku, rng.randint(1, qty_max)) for sku in rng.sample(SKUS, lines)],
                        carrier=carrier,
                        tracking=_tracking(carrier, rng) if carrier else None,
                    )
                )
        if rng.random() < 0.3:
            deal_start = _between(rng, created, now)
            stage = rng.choices(list(Stage), (15, 15, 15, 10, 30, 15))[0]
            lost_from = rng.choice(DEAL_PATH) if stage is Stage.LOST else None
            end = deal_start + (now - deal_start) * rng.uniform(0.3, 1.0)
            closed = stage in (Stage.WON, Stage.LOST)
            batch.deals.append(
                _DealPlan(
                    customer=ci,
                    owner=rng.choice(SALES_STAFF),
                    title=rng.choice(DEAL_TITLES).format(name=company or name),
                    amount=Decimal(rng.randrange(50, 5000) * 100),
                    steps=_spread(_deal_path(stage, lost_from), deal_start, end),
                    close_date=end.astimezone(zone).date()
                    if closed
                    else today + timedelta(days=rng.randint(3, 90)),
                )
            )
        if rng.random() < 0.2:
            opened = _between(rng, created, now)
            prio = rng.choices(list(Priority), (20, 50, 20, 10))[0]
            age_days = (now - opened).total_seconds() / 86400
            if age_days < 1:
                state = rng.choice((TicketStatus.OPEN, TicketStatus.OPEN, TicketStatus.PENDING))
            elif age_days < 7:
                state = rng.choice(list(TicketStatus))
            else:
                state = rng.choices(list(TicketStatus), (2, 3, 30, 65))[0]
            subject, desc = rng.choice(TICKET_SUBJECTS)
            assigned = state is not TicketStatus.OPEN or rng.random() < 0.5
            batch.tickets.append(
                _TicketPlan(
                    customer=ci,
                    subject=subject,
                    description=desc,
                    priority=prio,
                    channel=rng.choice(("line", "line", "slack")),
                    assignee="U_DEMO_SUPPORT" if assigned else None,
                    steps=_ticket_steps(state, prio, opened, now, rng.random() < 0.4, rng),
                )
            )
        for _ in range(rng.choices((0, 1, 2, 3), (30, 45, 20, 5))[0]):
            itype = rng.choice(list(InteractionType))
            staff = (
                None
                if itype is InteractionType.CHAT and rng.random() < 0.5
                else rng.choice(("U_DEMO_SALES", "U_DEMO_SALES2", "U_DEMO_SUPPORT"))
            )
            batch.interactions.append(
                _InteractionPlan(
                    customer=ci,
                    staff=staff,
                    type=itype,
                    note=rng.choice(INTERACTION_NOTES[itype]),
                    channel="line" if itype is InteractionType.CHAT else "slack",
                    at=_between(rng, created, now),
                )
            )
        if not lead and rng.random() < 0.45:
            batch.customers[ci].extras.append(
                _PointsEvent(
                    now - timedelta(seconds=rng.uniform(0, min(life, 30 * 86400))),
                    LedgerKind.REDEEM,
                    0,  # cost chosen by the writer from what the balance affords
                    "reward",
                    None,
                    "line" if has_line else "slack:U_DEMO_SUPPORT",
                )
            )
        if not lead and rng.random() < 0.12:
            batch.customers[ci].extras.append(
                _PointsEvent(
                    now - timedelta(seconds=rng.uniform(0, min(life, 20 * 86400))),
                    LedgerKind.ADJUST,
                    rng.choice((50, 100, 200, -50, -100)),
                    rng.choice(("goodwill for a late delivery", "correction", "birthday bonus")),
                    None,
                    "slack:U_DEMO_SUPPORT",
                )
            )
    return batch


def _synthetic_order_status(rng: random.Random, age_days: float) -> OrderStatus:
    if age_days < 0.5:
        return rng.choices((OrderStatus.PENDING, OrderStatus.PAID), (60, 40))[0]
    if age_days < 2:
        return rng.choices(
            (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.CANCELLED),
            (15, 35, 40, 10),
        )[0]
    if age_days < 5:
        return rng.choices(
            (OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED),
            (10, 50, 30, 10),
        )[0]
    if age_days < 14:
        return rng.choices((OrderStatus.DELIVERED, OrderStatus.CANCELLED), (90, 10))[0]
    return rng.choices(
        (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.RETURNED), (86, 8, 6)
    )[0]


# --------------------------------------------------------------------------- timelines


def _order_steps(
    status: OrderStatus, placed: datetime, now: datetime
) -> list[tuple[OrderStatus, datetime]]:
    path = ORDER_PATHS[status]
    offsets: list[timedelta] = []
    elapsed = timedelta(0)
    for step in path:
        elapsed += ORDER_STEP_AFTER[step]
        offsets.append(elapsed)
    room = now - timedelta(minutes=1) - placed
    if elapsed > room:
        # A recent order moved faster than usual; squeeze its history into the time it had.
        factor = max(room, timedelta(0)) / elapsed
        offsets = [off * factor for off in offsets]
    return [(step, placed + off) for step, off in zip(path, offsets, strict=True)]


def _deal_path(stage: Stage, lost_from: Stage | None) -> tuple[Stage, ...]:
    if stage is Stage.WON:
        return (*DEAL_PATH, Stage.WON)
    if stage is Stage.LOST:
        last = DEAL_PATH.index(lost_from or Stage.LEAD)
        return (*DEAL_PATH[: last + 1], Stage.LOST)
    return DEAL_PATH[: DEAL_PATH.index(stage) + 1]


def _ticket_steps(
    status: TicketStatus,
    prio: Priority,
    created: datetime,
    now: datetime,
    via_pending: bool,
    rng: random.Random,
) -> list[tuple[TicketStatus, datetime]]:
    if status is TicketStatus.OPEN:
        return [(TicketStatus.OPEN, created)]
    if status is TicketStatus.PENDING:
        path: tuple[TicketStatus, ...] = (TicketStatus.OPEN, TicketStatus.PENDING)
    elif status is TicketStatus.RESOLVED:
        path = (TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.RESOLVED)
    else:
        path = (TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.RESOLVED, TicketStatus.CLOSED)
    if not via_pending and status is not TicketStatus.PENDING:
        path = tuple(s for s in path if s is not TicketStatus.PENDING)
    # Most tickets are settled within their SLA; some overrun it.
    settle = created + SLA[prio] * rng.uniform(0.2, 1.4)
    end = settle + timedelta(days=2) if status is TicketStatus.CLOSED else settle
    end = min(end, now - timedelta(minutes=1))
    return _spread(path, created, max(end, created))


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _spread(path: Sequence[E], start: datetime, end: datetime) -> list[tuple[E, datetime]]:
    if len(path) == 1:
        return [(path[0], start)]
    gap = (end - start) / (len(path) - 1)
    return [(step, start + gap * i) for i, step in enumerate(path)]


def _tracking(carrier: str, rng: random.Random) -> str:
    if carrier == "Kerry Express":
        return f"KEX{rng.randrange(10**10):010d}"
    if carrier == "Flash Express":
        return f"TH{rng.randrange(10**10):010d}{rng.choice('ABCDEFGHJK')}"
    if carrier == "Thailand Post":
        return f"E{rng.choice('BFMRY')}{rng.randrange(10**9):09d}TH"
    return f"82{rng.randrange(10**10):010d}"


# --------------------------------------------------------------------------- writing


class _Taken:
    """Unique customer identities already in the store, so demo rows never collide."""

    def __init__(self, phones: set[str], members: set[str], lines: set[str]) -> None:
        self.phones, self.members, self.lines = phones, members, lines

    @staticmethod
    def _claim(pool: set[str], value: str | None) -> str | None:
        if value is None or value in pool:
            return None
        pool.add(value)
        return value

    def claim_phone(self, phone: str) -> str | None:
        return self._claim(self.phones, phone)

    def claim_member(self, member_id: str) -> str | None:
        return self._claim(self.members, member_id)

    def claim_line(self, line_user_id: str | None) -> str | None:
        return self._claim(self.lines, line_user_id)


def _taken_identities(session: Session) -> _Taken:
    phones: set[str] = set()
    members: set[str] = set()
    lines: set[str] = set()
    rows = session.execute(select(Customer.phone, Customer.member_id, Customer.line_user_id))
    for phone, member, line in rows:
        if phone:
            phones.add(phone)
        if member:
            members.add(member)
        if line:
            lines.add(line)
    return _Taken(phones, members, lines)


def _staff_ids(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Staff.slack_user_id, Staff.id).where(
            Staff.slack_user_id.in_([slack_id for slack_id, _name, _role in STAFF])
        )
    )
    ids = {slack: ident for slack, ident in rows}
    fallback = ids.get(DEMO_MARKER) or next(iter(ids.values()), None)
    if fallback is None:
        raise LookupError("the demo staff are missing; seed the base demo data first")
    for slack_id, _name, _role in STAFF:
        ids.setdefault(slack_id, fallback)
    return ids


class _Numbers:
    """Hands out ORD-/TCK- numbers in blocks from the store's counters, past any in use."""

    def __init__(self) -> None:
        self._checked: set[str] = set()

    def reserve(
        self, session: Session, name: str, column: InstrumentedAttribute[str], count: int
    ) -> int:
        """Take `count` consecutive numbers of counter `name`; returns the first."""
        floor = STARTS.get(name, 1)
        if name not in self._checked:
            # Imported rows may carry numbers the counter never handed out.
            used = session.scalar(select(func.max(cast(func.substr(column, 5), BigInteger))))
            floor = max(floor, int(used or 0) + 1)
            self._checked.add(name)
        current = session.scalar(
            select(NumberSequence.next_value).where(NumberSequence.name == name)
        )
        if current is None:
            session.execute(insert(NumberSequence), [{"name": name, "next_value": floor + count}])
            return floor
        first = max(int(current), floor)
        session.execute(
            update(NumberSequence)
            .where(NumberSequence.name == name)
            .values(next_value=first + count)
        )
        return first


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _insert_ids(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one executemany and return their new ids in the rows' order."""
    if not rows:
        return []
    table = _table(model)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.execute(stmt, rows).scalars()]


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> int:
    """Insert rows in one Core executemany, without per-row ORM bookkeeping."""
    if rows:
        session.execute(insert(_table(model)), rows)
    return len(rows)


def _write(
    session: Session,
    batch: _Batch,
    staff: dict[str, int],
    numbers: _Numbers,
    now: datetime,
    actor: str,
) -> _Counts:
    """Insert one batch of plans; numbers, tiers and the ledger are settled here."""
    counts = _Counts()
    if batch.orders:
        first = numbers.reserve(session, "order", Order.number, len(batch.orders))
        for i, order in enumerate(batch.orders):
            order.number = f"ORD-{first + i}"
    if batch.tickets:
        first = numbers.reserve(session, "ticket", Ticket.number, len(batch.tickets))
        for i, ticket in enumerate(batch.tickets):
            ticket.number = f"TCK-{first + i}"

    orders_of: dict[int, list[_OrderPlan]] = defaultdict(list)
    for order in batch.orders:
        orders_of[order.customer].append(order)
    ledgers: list[list[dict[str, Any]]] = []
    for ci, plan in enumerate(batch.customers):
        entries, tier = _ledger(plan, orders_of.get(ci, []), now, actor)
        plan.row["tier"] = tier
        ledgers.append(entries)

    customer_ids = _insert_ids(
        session,
        Customer,
        [plan.row for plan in batch.customers],
    )
    counts.customers = len(customer_ids)
    _insert(
        session,
        CustomerAlias,
        [
            {"customer_id": cid, "alias": alias}
            for cid, plan in zip(customer_ids, batch.customers, strict=True)
            for alias in dict.fromkeys(plan.aliases)
        ],
    )

    order_ids = _insert_ids(
        session,
        Order,
        [
            {
                "number": o.number,
                "customer_id": customer_ids[o.customer],
                "status": o.status,
                "total": o.total,
                "placed_at": o.steps[0][1],
                "carrier": o.carrier,
                "tracking_number": o.tracking,
                "updated_at": o.steps[-1][1],
            }
            for o in batch.orders
        ],
    )
    counts.orders = len(order_ids)
    counts.order_items = _insert(
        session,
        OrderItem,
        [
            {
                "order_id": oid,
                "sku": sku,
                "name": CATALOGUE[sku][0],
                "quantity": qty,
                "unit_price": CATALOGUE[sku][1],
            }
            for oid, o in zip(order_ids, batch.orders, strict=True)
            for sku, qty in o.items
        ],
    )
    _insert(
        session,
        OrderStatusChange,
        [
            {
                "order_id": oid,
                "from_status": prev,
                "to_status": step,
                "changed_by": "system" if step is not OrderStatus.CANCELLED else actor,
                "changed_at": at,
            }
            for oid, o in zip(order_ids, batch.orders, strict=True)
            for prev, (step, at) in zip([None, *(s for s, _ in o.steps[:-1])], o.steps, strict=True)
        ],
    )

    deal_ids = _insert_ids(
        session,
        Deal,
        [
            {
                "customer_id": customer_ids[d.customer],
                "owner_id": staff[d.owner],
                "title": d.title,
                "amount": d.amount,
                "stage": d.steps[-1][0],
                "close_date": d.close_date,
                "created_at": d.steps[0][1],
                "updated_at": d.steps[-1][1],
            }
            for d in batch.deals
        ],
    )
    counts.deals = len(deal_ids)
    _insert(
        session,
        DealStageChange,
        [
            {
                "deal_id": did,
                "from_stage": prev,
                "to_stage": stage,
                "amount": d.amount,
                "changed_by": f"slack:{d.owner}",
                "changed_at": at,
            }
            for did, d in zip(deal_ids, batch.deals, strict=True)
            for prev, (stage, at) in zip(
                [None, *(s for s, _ in d.steps[:-1])], d.steps, strict=True
            )
        ],
    )

    ticket_ids = _insert_ids(
        session,
        Ticket,
        [
            {
                "number": t.number,
                "customer_id": customer_ids[t.customer] if t.customer is not None else None,
                "subject": t.subject,
                "description": t.description,
                "priority": t.priority,
                "status": t.steps[-1][0],
                "assignee_id": staff[t.assignee] if t.assignee else None,
                "channel": t.channel,
                "sla_due_at": t.steps[0][1] + SLA[t.priority],
                "created_at": t.steps[0][1],
                "resolved_at": next((at for s, at in t.steps if s is TicketStatus.RESOLVED), None),
                "updated_at": t.steps[-1][1],
            }
            for t in batch.tickets
        ],
    )
    counts.tickets = len(ticket_ids)
    _insert(
        session,
        TicketStatusChange,
        [
            {
                "ticket_id": tid,
                "from_status": prev,
                "to_status": step,
                "changed_by": _ticket_actor(batch, t, opened=prev is None),
                "changed_at": at,
            }
            for tid, t in zip(ticket_ids, batch.tickets, strict=True)
            for prev, (step, at) in zip([None, *(s for s, _ in t.steps[:-1])], t.steps, strict=True)
        ],
    )

    counts.tasks = _insert(
        session,
        Task,
        [
            {
                "title": t.title,
                "due_date": t.due,
                "owner_id": staff[t.owner],
                "customer_id": customer_ids[t.customer] if t.customer is not None else None,
                "done": t.done_at is not None,
                "done_at": t.done_at,
                "created_at": t.created_at,
            }
            for t in batch.tasks
        ],
    )
    counts.interactions = _insert(
        session,
        Interaction,
        [
            {
                "customer_id": customer_ids[i.customer],
                "staff_id": staff[i.staff] if i.staff else None,
                "type": i.type,
                "note": i.note,
                "channel": i.channel,
                "occurred_at": i.at,
            }
            for i in batch.interactions
        ],
    )
    ledger_rows: list[dict[str, Any]] = []
    for cid, entries in zip(customer_ids, ledgers, strict=True):
        for entry in entries:
            entry["customer_id"] = cid
            if entry["kind"] is LedgerKind.OPENING:
                entry["idempotency_key"] = f"opening:{cid}"
            ledger_rows.append(entry)
    # The ledger is append-only: these rows are only ever inserted, in time order per customer.
    counts.points_entries = _insert(session, PointsEntry, ledger_rows)
    return counts


def _ticket_actor(batch: _Batch, ticket: _TicketPlan, *, opened: bool) -> str:
    """Customers open LINE tickets themselves; staff do everything else from Slack."""
    if opened and ticket.channel == "line" and ticket.customer is not None:
        line_id = batch.customers[ticket.customer].row["line_user_id"]
        if line_id:
            return f"line:{line_id}"
    return f"slack:{ticket.assignee or 'U_DEMO_SUPPORT'}"


def _ledger(
    plan: _CustomerPlan, orders: list[_OrderPlan], now: datetime, actor: str
) -> tuple[list[dict[str, Any]], Tier]:
    """A customer's ledger rows in time order, never below zero, and the tier they earn."""
    created: datetime = plan.row["created_at"]
    # (when, order of equal times, kind, delta or order, reason, reference, actor)
    events: list[tuple[datetime, int, LedgerKind, Any, str, str | None, str]] = []
    if plan.opening > 0:
        events.append(
            (created, 0, LedgerKind.OPENING, plan.opening, "opening balance (import)", None, actor)
        )
    for order in orders:
        steps = dict(order.steps)
        if OrderStatus.DELIVERED in steps:
            events.append(
                (steps[OrderStatus.DELIVERED], 1, LedgerKind.EARN, order, "", None, "system")
            )
        if OrderStatus.RETURNED in steps:
            events.append(
                (steps[OrderStatus.RETURNED], 2, LedgerKind.ADJUST, order, "", None, "system")
            )
    for extra in plan.extras:
        events.append(
            (extra.at, 3, extra.kind, extra.delta, extra.reason, extra.reference, extra.actor)
        )
    events.sort(key=lambda e: (e[0], e[1]))

    window_start = now - TIER_WINDOW
    balance = earned = 0
    earned_by_order: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    last_at = created
    for at, _rank, kind, value, reason, reference, who in events:
        at = max(at, last_at)
        key: str | None = None
        if isinstance(value, _OrderPlan):
            reference = value.number
            if kind is LedgerKind.EARN:
                delta = int(value.total * _earn_percent(earned) / (BAHT_PER_POINT * 100))
                earned_by_order[value.number] = delta
                reason, key = f"order {value.number}", f"earn:{value.number}"
            else:
                delta = -min(earned_by_order.get(value.number, 0), balance)
                reason, key = f"{value.number} returned", f"return:{value.number}"
        elif kind is LedgerKind.REDEEM:
            delta = int(value)
            if delta == 0:
                # Past redemptions draw only on unlimited rewards, so stock levels stay true.
                affordable = [r for r in REWARDS if r[5] and r[4] is None and r[3] <= balance]
                if not affordable:
                    continue
                code, _th, en, cost, _stock, _active = max(affordable, key=lambda r: r[3])
                delta, reason, reference = -cost, f"reward: {en}", code
            if balance + delta < 0:
                continue
            if who == "line":
                line_id = plan.row["line_user_id"]
                who = f"line:{line_id}" if line_id else "slack:U_DEMO_SUPPORT"
        else:
            delta = max(int(value), -balance)
        if delta == 0:
            continue
        balance += delta
        if delta > 0 and at >= window_start:
            earned += delta
        last_at = at
        rows.append(
            {
                "delta": delta,
                "kind": kind,
                "reason": reason,
                "reference": reference,
                "idempotency_key": key,
                "actor": who,
                "created_at": at,
            }
        )
    return rows, _tier_for(earned)


def _earn_percent(earned: int) -> int:
    return [pct for _tier, low, pct in TIER_RULES if earned >= low][-1]


def _tier_for(earned: int) -> Tier:
    return [tier for tier, low, _pct in TIER_RULES if earned >= low][-1]
