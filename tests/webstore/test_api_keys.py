"""Several API keys per store: each works until it is revoked, a revoked one is refused at
once by every web process, and revoking one (or rotating: a new one, then revoking the old)
leaves the others working."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.errors import NotFound
from models.infra.clock import now
from models.stores import api_keys
from models.stores.tables import ApiKey
from tests.factories import make_shop
from tests.webstore.api_support import bearer, serve


async def key_row(secret: str) -> ApiKey:
    return await ApiKey.get(prefix=secret.split("_", 2)[1])


async def test_a_revoked_key_is_refused_at_once_by_every_web_process(db: str) -> None:
    shop = await make_shop()
    site = (await api_keys.create_api_key(shop.store, "site")).secret
    async with serve() as one, serve() as two:
        for client in (one, two):
            for key in (shop.api_key, site):
                assert (await client.get("/v1/orders", headers=bearer(key))).status == 200
        # Rotation: a new key for the tool, then the old one revoked.
        new_site = (await api_keys.create_api_key(shop.store, "site")).secret
        await api_keys.revoke_api_key(shop.store, (await key_row(site)).id)
        for client in (one, two):
            refused = await client.get("/v1/orders", headers=bearer(site))
            assert refused.status == 401
            assert (await refused.json())["error"]["code"] == "unauthorized"
            for key in (shop.api_key, new_site):
                assert (await client.get("/v1/orders", headers=bearer(key))).status == 200


async def test_the_last_use_is_written_at_most_once_a_minute(db: str) -> None:
    shop = await make_shop()
    assert (await key_row(shop.api_key)).last_used_at is None
    async with serve() as client:
        await client.get("/v1/orders", headers=bearer(shop.api_key))
        first = (await key_row(shop.api_key)).last_used_at
        assert first is not None
        await client.get("/v1/orders", headers=bearer(shop.api_key))
        assert (await key_row(shop.api_key)).last_used_at == first
        earlier = now() - timedelta(minutes=2)
        await ApiKey.filter(prefix=shop.api_key.split("_")[1]).update(last_used_at=earlier)
        await client.get("/v1/orders", headers=bearer(shop.api_key))
        later = (await key_row(shop.api_key)).last_used_at
        assert later is not None and later > earlier + timedelta(minutes=1)
        # A refused key is not "used".
        await api_keys.revoke_api_key(shop.store, (await key_row(shop.api_key)).id)
        await ApiKey.filter(prefix=shop.api_key.split("_")[1]).update(last_used_at=earlier)
        await client.get("/v1/orders", headers=bearer(shop.api_key))
        assert (await key_row(shop.api_key)).last_used_at == earlier


async def test_keys_are_listed_and_revoked_within_their_store_only(db: str) -> None:
    ours, theirs = await make_shop("ours"), await make_shop("theirs")
    tool = await api_keys.create_api_key(ours.store, "  my   tool ")
    assert tool.row.label == "my tool"
    listed = await api_keys.list_api_keys(ours.store)
    assert [k.label for k in listed] == ["my tool", "initial"]
    with pytest.raises(NotFound):
        await api_keys.revoke_api_key(theirs.store, tool.row.id)
    await api_keys.revoke_api_key(ours.store, tool.row.id)
    with pytest.raises(api_keys.KeyRefused) as refused:
        await api_keys.revoke_api_key(ours.store, tool.row.id)
    assert refused.value.code == "already_revoked"
    # Live keys first.
    assert [k.label for k in await api_keys.list_api_keys(ours.store)] == ["initial", "my tool"]
    assert await api_keys.authenticate_api_key(theirs.api_key) is not None


async def test_the_secret_is_never_stored_and_bad_labels_are_refused(db: str) -> None:
    shop = await make_shop()
    new = await api_keys.create_api_key(shop.store, "erp")
    secret = new.secret.split("_", 2)[2]
    row = await key_row(new.secret)
    assert secret not in (row.secret_hash, row.label, row.prefix)
    for label in ("x" * 65, "tab\there\x00"):
        with pytest.raises(api_keys.KeyRefused):
            await api_keys.create_api_key(shop.store, label)


async def test_a_store_has_a_bounded_number_of_live_keys(db: str) -> None:
    shop = await make_shop()
    for i in range(api_keys.MAX_ACTIVE_KEYS - 1):
        await api_keys.create_api_key(shop.store, f"k{i}")
    with pytest.raises(api_keys.KeyRefused) as refused:
        await api_keys.create_api_key(shop.store, "one too many")
    assert refused.value.code == "too_many_keys"
    await api_keys.revoke_api_key(shop.store, (await key_row(shop.api_key)).id)
    assert await api_keys.create_api_key(shop.store, "room again")
