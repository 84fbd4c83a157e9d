"""Per-key rate limits of the REST API (webstore.api_limits), with a controlled clock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_shop
from tests.webstore.api_support import bearer, intake_body, serve
from webstore.api import KEY_LIMIT
from webstore.api_limits import Rate, TokenBuckets
from webstore.config import WebConfig


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_evenly() -> None:
    clock = Clock()
    buckets = TokenBuckets(Rate(3, 60), clock)
    quotas = [buckets.take("k1") for _ in range(4)]
    assert [q.allowed for q in quotas] == [True, True, True, False]
    assert [q.remaining for q in quotas] == [2, 1, 0, 0]
    assert (quotas[3].retry_after, quotas[3].reset) == (20, 60)
    assert buckets.take("k2").allowed  # another key has its own bucket
    clock.now += 19.5
    assert not buckets.take("k1").allowed
    clock.now += 0.5
    allowed = buckets.take("k1")
    assert allowed.allowed and allowed.remaining == 0 and allowed.retry_after == 0
    clock.now += 3600
    assert buckets.take("k1").remaining == 2  # never more than the burst


def test_forgetting_full_buckets_changes_nothing() -> None:
    clock = Clock()
    buckets = TokenBuckets(Rate(2, 10), clock)
    buckets.MAX_KEYS = 3
    buckets.take("busy")
    buckets.take("busy")
    for key in ("a", "b", "c"):
        buckets.take(key)
    clock.now += 10
    buckets.take("d")  # over MAX_KEYS: the full buckets are forgotten
    assert set(buckets._buckets) <= {"d", "busy"}
    assert buckets.take("a").remaining == 1


@pytest.mark.parametrize("text", ["", "120", "0/60", "120/0", "-1/60", "1.5/60", "a/b"])
def test_a_malformed_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="requests/seconds"):
        Rate.parse(text)


def _rate_headers(resp: Any) -> tuple[str | None, ...]:
    names = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    return tuple(resp.headers.get(name) for name in names)


async def test_a_key_past_its_limit_gets_429_and_others_do_not(db: str) -> None:
    mine, theirs = await make_shop("mine"), await make_shop("theirs")
    clock = Clock()
    async with serve(WebConfig(secret_key="test", api_rate_limit="3/60")) as client:
        client.app[KEY_LIMIT].clock = clock
        auth = bearer(mine.api_key)
        ok = await client.get("/v1/orders", headers=auth)
        assert ok.status == 200 and _rate_headers(ok) == ("3", "2", "20")
        missing = await client.get("/v1/orders/4242", headers=auth)  # errors count and say so
        assert missing.status == 404 and _rate_headers(missing) == ("3", "1", "40")
        bad = await client.post("/v1/products", data="{", headers=auth)
        assert bad.status == 415 and _rate_headers(bad) == ("3", "0", "60")
        refused = await client.get("/v1/orders", headers=auth)
        assert refused.status == 429
        assert (await refused.json())["error"]["code"] == "rate_limited"
        assert refused.headers["Retry-After"] == "20"
        assert _rate_headers(refused) == ("3", "0", "60")
        other = await client.get("/v1/orders", headers=bearer(theirs.api_key))
        assert other.status == 200 and other.headers["X-RateLimit-Remaining"] == "2"
        clock.now += 20
        assert (await client.get("/v1/orders", headers=auth)).status == 200


async def test_unauthenticated_and_public_answers_spend_no_budget(db: str) -> None:
    shop = await make_shop()
    clock = Clock()
    async with serve(WebConfig(secret_key="test", api_rate_limit="1/60")) as client:
        client.app[KEY_LIMIT].clock = clock
        # A wrong secret with the key's real prefix spends nothing of the key's budget.
        prefix = shop.api_key.split("_")[1]
        for key in ("hk_nope_nope", f"hk_{prefix}_{'x' * 32}", f"hk_{prefix}_"):
            denied = await client.get("/v1/orders", headers=bearer(key))
            assert denied.status == 401 and _rate_headers(denied) == (None, None, None)
        document = await client.get("/v1/openapi.json")
        assert document.status == 200 and "X-RateLimit-Limit" not in document.headers
        placed = await client.post(
            "/v1/stores/shop/orders",
            json=intake_body(shop.variants[0].id),
            headers={"Idempotency-Key": "rate-1"},
        )
        assert placed.status == 201 and "X-RateLimit-Limit" not in placed.headers
        assert (await client.get("/v1/orders", headers=bearer(shop.api_key))).status == 200


async def test_the_document_describes_the_limit_and_its_headers(
    db: str,
) -> None:
    async with serve(WebConfig(secret_key="test", api_rate_limit="30/10")) as client:
        document: dict[str, Any] = await (await client.get("/v1/openapi.json")).json()
    assert "burst of 30 requests, then 30 per 10" in document["info"]["description"]
    listing = document["paths"]["/v1/orders"]["get"]["responses"]
    assert set(listing["200"]["headers"]) == {
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    }
    assert "Retry-After" in listing["429"]["headers"]
    assert "`rate_limited`" in listing["429"]["description"]
    assert "headers" not in listing["401"]
    intake = document["paths"]["/v1/stores/{slug}/orders"]["post"]["responses"]
    assert "headers" not in intake["201"]
