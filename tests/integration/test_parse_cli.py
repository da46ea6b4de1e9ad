"""`khui parse --db` against real databases: customers resolved from the store, a clear error
for a database that was never migrated."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from typer.testing import CliRunner

from adapters.cli import app
from crm_core.db import Store
from crm_core.services.customers import CustomerInput, create_customer
from crm_core.uow import Actor
from tests.conftest import POSTGRES_URL

runner = CliRunner()


def test_parse_resolves_a_customer_of_the_store(store: Store) -> None:
    with store.uow(Actor.cli()) as uow:
        acme = create_customer(uow, CustomerInput(name="Acme Trading"))
        uow.commit()
        acme_id = acme.id
    result = runner.invoke(app, ["parse", "--db", store.url, "ดีล Acme Trading ปิดได้แล้ว 80k"])
    assert result.exit_code == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["intent"] == "deal_update"
    assert parsed["slots"] == {
        "amount": 80000,
        "stage": "won",
        "customer": "Acme Trading",
        "customer_id": acme_id,
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database no migration has run on (SQLite: no file at all)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'never.db'}"
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"khui_empty_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_parse_on_a_database_never_migrated_says_how_to_set_it_up(
    unmigrated_url: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["parse", "--db", unmigrated_url, "hi"])
    assert result.exit_code == 1
    assert "khui db upgrade" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "never.db").exists()  # no empty SQLite file left behind
