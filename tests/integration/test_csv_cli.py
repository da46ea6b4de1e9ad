"""`khui db upgrade`, `khui import`, `khui export` and `khui staff` against real databases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from adapters.cli import app
from crm_core import migrate
from crm_core.db import Store
from crm_core.models import AuditEntry, Customer, Deal, Order, OrderStatus, Stage
from crm_core.services import loyalty
from crm_core.services.customers import customer_by_line_user, customer_by_reference

runner = CliRunner()

CUSTOMERS = """\
name,phone,email,company,member_id,tier,line_user_id,aliases,points,marketing_consent
Siam Paper Co.,081-234-5678,buy@siampaper.co.th,Siam Paper,M-10001,gold,,สยามเปเปอร์;SPC,1200,yes
คุณสมศรี ใจดี,+66 89 111 2222,somsri@example.com,,M-10002,silver,U4af4980629abc,Somsri,300,no
Acme Trading,0822223333,,Acme,,bronze,,,0,
"""


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _count(store: Store, model: type) -> int:
    with store.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_db_upgrade_then_import_customers(store: Store, tmp_path: Path) -> None:
    code, stdout, _ = _run("db", "upgrade", "--db", store.url)
    assert code == 0 and migrate.head() in stdout
    path = _write(tmp_path, "customers.csv", CUSTOMERS)
    code, stdout, stderr = _run("import", "customers", str(path), "--db", store.url)
    assert code == 0, stderr
    assert "3 created" in stdout
    with store.uow() as uow:
        spc = customer_by_reference(uow, "M-10001")
        assert spc.phone == "0812345678" and spc.alias_names == ["สยามเปเปอร์", "SPC"]
        assert spc.marketing_consent and spc.consent_source == "import"
        assert loyalty.balance(uow, spc.id) == 1200
        somsri = customer_by_line_user(uow, "U4af4980629abc")
        assert somsri is not None and somsri.name == "คุณสมศรี ใจดี"
        assert somsri.phone == "0891112222" and not somsri.marketing_consent


def test_importing_the_same_file_twice_does_not_duplicate(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "customers.csv", CUSTOMERS)
    assert _run("import", "customers", str(path), "--db", store.url)[0] == 0
    audit_rows = _count(store, AuditEntry)
    code, stdout, _ = _run("import", "customers", str(path), "--db", store.url)
    assert code == 0 and "0 created, 3 updated" in stdout
    assert _count(store, Customer) == 3
    assert _count(store, AuditEntry) == audit_rows
    with store.uow() as uow:
        assert loyalty.balance(uow, customer_by_reference(uow, "M-10001").id) == 1200


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("Bad Phone Co,12345,,,,,,,,", "not a Thai phone number"),
        ("Bad Tier,0833334444,,,,diamond,,,,", "unknown tier"),
        (",0833334444,,,,,,,,", "name is required"),
        ("Dup Member,0833334444,,,M-10001,,,,,", "member_id M-10001 already appears on line 2"),
        ("Bad Consent,0833334444,,,,,,,,maybe", "marketing_consent must be yes or no"),
    ],
)
def test_a_bad_row_imports_nothing_and_names_its_line(
    store: Store, tmp_path: Path, bad_line: str, reason: str
) -> None:
    path = _write(tmp_path, "customers.csv", CUSTOMERS + bad_line + "\n")
    code, _, stderr = _run("import", "customers", str(path), "--db", store.url)
    assert code == 1
    assert f"line 5: {reason}" in stderr
    assert "nothing was imported" in stderr
    assert _count(store, Customer) == 0


def test_unknown_column_is_an_error(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "name,shoe_size\nAcme,42\n")
    code, _, stderr = _run("import", "customers", str(path), "--db", store.url)
    assert code == 1 and "line 1: unknown column 'shoe_size'" in stderr
    assert _count(store, Customer) == 0


def test_conflict_found_while_writing_rolls_back_every_row(store: Store, tmp_path: Path) -> None:
    assert (
        _run("import", "customers", str(_write(tmp_path, "a.csv", CUSTOMERS)), "--db", store.url)[0]
        == 0
    )
    # new customer first, then a row whose member id and phone belong to two different people
    body = "name,phone,member_id\nBrand New Co,0844445555,M-20000\nMixed Up,0822223333,M-10001\n"
    code, _, stderr = _run(
        "import", "customers", str(_write(tmp_path, "b.csv", body)), "--db", store.url
    )
    assert code == 1 and "line 3:" in stderr and "already exists" in stderr
    assert _count(store, Customer) == 3


def test_import_orders_and_deals_then_export(store: Store, tmp_path: Path) -> None:
    _run("import", "customers", str(_write(tmp_path, "c.csv", CUSTOMERS)), "--db", store.url)
    _run(
        "staff",
        "add",
        "--slack-id",
        "U0SALES",
        "--name",
        "Somchai",
        "--role",
        "sales",
        "--db",
        store.url,
    )
    orders_csv = (
        "order_id,customer,status,total,placed_at,carrier,tracking_number\n"
        'ord-3001,M-10001,shipped,"1,250.50",2026-11-01T10:00:00+07:00,Kerry Express,KE1\n'
        "ORD-3002,0891112222,paid,990,2026-11-02,,\n"
        "ORD-3003,Acme Trading,pending,100,,,\n"
    )
    code, stdout, stderr = _run(
        "import", "orders", str(_write(tmp_path, "o.csv", orders_csv)), "--db", store.url
    )
    assert code == 0, stderr
    deals_csv = (
        "customer,title,amount,stage,owner,close_date\n"
        "M-10001,Paper Q1,120000,proposal,U0SALES,2026-12-31\n"
        "Acme Trading,Renewal,50k,won,U0SALES,\n"
    )
    code, _, stderr = _run(
        "import", "deals", str(_write(tmp_path, "d.csv", deals_csv)), "--db", store.url
    )
    assert code == 1 and "line 3: amount is not a number" in stderr
    assert _count(store, Deal) == 0
    deals_csv = deals_csv.replace("50k", "50000")
    path = _write(tmp_path, "d.csv", deals_csv)
    assert _run("import", "deals", str(path), "--db", store.url)[0] == 0
    assert _run("import", "deals", str(path), "--db", store.url)[0] == 0
    assert _count(store, Deal) == 2
    with store.uow() as uow:
        order = uow.session.scalars(select(Order).where(Order.number == "ORD-3001")).one()
        assert order.status is OrderStatus.SHIPPED and str(order.total) == "1250.50"
        won = uow.session.scalars(select(Deal).where(Deal.title == "Renewal")).one()
        assert won.stage is Stage.WON and won.owner is not None

    result = runner.invoke(app, ["export", "orders", "--db", store.url])
    assert result.exit_code == 0, result.exception
    stdout = result.stdout
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert [r["order_id"] for r in rows] == ["ORD-3001", "ORD-3002", "ORD-3003"]
    assert rows[0]["total"] == "1250.50" and rows[0]["customer"] == "M-10001"
    code, stdout, _ = _run("export", "deals", "--db", store.url)
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert {(r["title"], r["stage"], r["amount"]) for r in rows} == {
        ("Paper Q1", "proposal", "120000.00"),
        ("Renewal", "won", "50000.00"),
    }
    code, stdout, _ = _run("export", "customers", "--db", store.url)
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert {r["name"] for r in rows} == {"Siam Paper Co.", "คุณสมศรี ใจดี", "Acme Trading"}
    assert next(r for r in rows if r["member_id"] == "M-10001")["points"] == "1200"
    for kind in ("interactions", "tickets", "ledger"):
        code, stdout, _ = _run("export", kind, "--db", store.url)
        assert code == 0 and stdout.splitlines()[0].startswith("id,")
    code, stdout, _ = _run("export", "ledger", "--db", store.url)
    assert len(stdout.splitlines()) == 3  # header + two opening balances


def test_staff_add_and_list(store: Store) -> None:
    code, stdout, _ = _run(
        "staff",
        "add",
        "--slack-id",
        "U123",
        "--name",
        "Malee",
        "--role",
        "support",
        "--db",
        store.url,
    )
    assert code == 0 and "U123: Malee (support)" in stdout
    code, stdout, _ = _run(
        "staff",
        "add",
        "--slack-id",
        "U123",
        "--name",
        "Malee",
        "--role",
        "manager",
        "--db",
        store.url,
    )
    code, stdout, _ = _run("staff", "list", "--db", store.url)
    assert "manager" in stdout and stdout.count("U123") == 1
    code, _, stderr = _run(
        "staff", "add", "--slack-id", "U9", "--name", "X", "--role", "ceo", "--db", store.url
    )
    assert code == 1 and "unknown role" in stderr
