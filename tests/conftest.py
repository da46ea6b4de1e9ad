"""Shared fixtures: a fresh store on SQLite and on PostgreSQL for every database test."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_core import migrate
from crm_core.db import Store
from crm_core.models import Base

POSTGRES_URL = os.environ.get(
    "KHUI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = Store(f"sqlite:///{path}")
    migrate.upgrade(store.engine)
    store.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test run, migrated, dropped at the end."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"khui_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is required for the database tests ({POSTGRES_URL}): {exc}")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    store = Store(url)
    migrate.upgrade(store.engine)
    store.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(store: Store) -> None:
    """Empty every table (PostgreSQL), keeping the migrated schema."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store; runs each test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "khui.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        store = Store(f"sqlite:///{path}")
    else:
        store = Store(request.getfixturevalue("postgres_url"))
        truncate_all(store)
    yield store
    store.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path, sqlite_template: Path) -> Iterator[Store]:
    """An empty, migrated SQLite store (for tests about SQLite itself)."""
    path = tmp_path / "khui.db"
    shutil.copyfile(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    yield store
    store.dispose()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    """An empty, migrated PostgreSQL store (for tests about PostgreSQL itself)."""
    store = Store(postgres_url)
    truncate_all(store)
    yield store
    store.dispose()
