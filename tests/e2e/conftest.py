"""Fixtures for end-to-end conversations: the known world and a row counter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crm_core.db import Store
from tests.e2e.world import World, build_world


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.fixture
def count_rows(store: Store) -> Callable[[type], int]:
    from sqlalchemy import func, select

    def count(model: type) -> int:
        with store.uow() as uow:
            return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)

    return count
