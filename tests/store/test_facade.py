"""The Store facade offers every public method of every table group, bound to one shared connection."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from bot.store.activity import Activity
from bot.store.chat_state import ChatState
from bot.store.database import Store, StoreError
from bot.store.documents import Documents
from bot.store.leases import Leases
from bot.store.outbox import Outbox
from bot.store.pages import Pages
from bot.store.retention import Retention
from bot.store.sources import Sources
from bot.store.stories import Stories

GROUPS = (Sources, Documents, Stories, Outbox, ChatState, Retention, Activity, Pages, Leases)


def public_methods(cls: type) -> list[str]:
    return [name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")]


async def test_every_method_of_every_table_group_is_on_the_store(tmp_path: Path) -> None:
    store = await Store.open(tmp_path)
    try:
        for group in GROUPS:
            for name in public_methods(group):
                method = getattr(store, name)
                assert isinstance(method.__self__, group), name
                assert method.__self__.connection is store.connection, name
    finally:
        await store.close()


async def test_a_store_opened_for_reading_refuses_writes_through_every_group(tmp_path: Path) -> None:
    store = await Store.open(tmp_path)
    await store.close()
    reader = await Store.open_for_reading(tmp_path)
    try:
        assert reader.read_only
        assert await reader.fetch_states() == {} and await reader.route_problems() == {}
        with pytest.raises(StoreError, match="read-only"):
            await reader.disable_route("console", "refused", "2024-01-01T00:00:00+00:00")
        with pytest.raises(StoreError, match="read-only"):
            await reader.record_cycle("a", "b", 0, 0, 0, 0)
    finally:
        await reader.close()


async def test_each_backend_run_really_opens_that_backend(backend: str, tmp_path: Path) -> None:
    """Guards the parametrization: tests here that open the app through the config run on the backend they name."""
    import io

    from bot.app import App, ChatEnv, load_config

    config = tmp_path / "feeds.yaml"
    config.write_text(f"storage: {tmp_path / 'storage'}\n", encoding="utf-8")
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        assert app.store.backend == backend
        await app.poll_once()
        assert (await app.store.query("SELECT count(*) AS n FROM cycles"))[0]["n"] == 1
