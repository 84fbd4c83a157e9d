"""Schemathesis over the running API: every operation of `/v1/openapi.json`, with a valid
key, answers no 5xx and nothing its own document does not describe (status, content type,
headers, body).

The app runs in the test's event loop (the database lives there); Schemathesis and
Hypothesis are synchronous, so they run in a worker thread and reach the app over
loopback HTTP. Every operation first gets its documented examples and generated cases
with its path pinned to a real resource of the store (the happy paths: calls,
transitions, dispatch, stock, webhooks…), then positive and negative cases with every
parameter generated (mostly unknown ids and invalid input: the refusals). Derandomised,
so a run sends the same cases for the same data; the number of cases is printed, and the
answers per operation and status with `pytest -s`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from models import webhooks
from models.lifecycle import OrderStatus
from models.orders import transition_order
from models.orm import OutboxMessage, Product
from models.sealing import Sealer
from models.timeline import Actor
from shipping.service import CourierDispatch
from tests.factories import make_shop
from tests.webstore.api_support import place, serve
from webstore.app import WebConfig

EXAMPLES = 8  # per operation, mode and pinning: keeps the run under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class Run:
    base_url: str
    key: str
    pinned: dict[str, dict[str, Any]]
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)


def _send(run: Run, operation: Any, strategy: Any, examples: int, what: str) -> None:
    """Up to `examples` cases drawn from `strategy`, each sent and checked."""
    session = requests.Session()
    auth = {"Authorization": f"Bearer {run.key}"}

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        run.cases += 1
        response = case.call(base_url=run.base_url, session=session, headers=auth, timeout=30)
        run.statuses[(operation.label, response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=auth)

    try:
        check()
    except Exception as exc:  # one report per operation and pass; the others still run
        run.failures.append(f"{operation.label} [{what}]\n{exc}")
    finally:
        session.close()


def _fuzz_all(run: Run) -> None:
    schema = schemathesis.openapi.from_url(f"{run.base_url}/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # First every operation on real resources, its documented examples then generated
    # bodies: the happy paths, before random ids may delete or cancel those resources.
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        pinned = run.pinned["*"] | run.pinned.get(operation.label, {})
        pins = {n: pinned[n] for n in names if n in pinned}
        for example in schema.get_strategies_from_examples(operation, path_parameters=pins):
            _send(run, operation, example, 1, f"example, pinned {pins}")
        if pins:
            strategy = operation.as_strategy(path_parameters=pins)
            _send(run, operation, strategy, EXAMPLES, f"positive, pinned {pins}")
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            _send(run, operation, strategy, EXAMPLES, mode.value)


async def _pinned(shop: Any) -> dict[str, dict[str, Any]]:
    """Real ids of the store for path parameters, by operation (`*`: any operation); an
    order for each operation that changes one, in the status it acts on."""
    orders = [(await place(shop, i)).number for i in range(4)]
    confirmed = orders[2]
    await transition_order(shop.store, confirmed, OrderStatus.CONFIRMED, Actor("system"))
    product = await Product.get(id=shop.variants[0].product_id)  # type: ignore[attr-defined]
    hook, _ = await webhooks.create_endpoint(
        Sealer("test"), shop.store, "https://hooks.example.com/in", ["order.created"]
    )
    doomed, _ = await webhooks.create_endpoint(
        Sealer("test"), shop.store, "https://hooks.example.com/old", ["order.created"]
    )
    pinged = await OutboxMessage.get(id=await webhooks.send_test(shop.store, hook.id))
    delivery = await webhooks.record_attempt(pinged, "dead", status_code=410)
    return {
        "POST /v1/orders/{number}/calls": {"number": orders[0]},
        "GET /v1/orders/{number}/calls": {"number": orders[0]},
        "POST /v1/orders/{number}/transitions": {"number": orders[1]},
        "POST /v1/orders/{number}/dispatch": {"number": confirmed},
        "DELETE /v1/webhooks/{webhook_id}": {"webhook_id": doomed.id},
        "*": {
            "number": orders[3],
            "product_id": product.id,
            "variant_id": shop.variants[0].id,
            "slug": shop.store.slug,
            "phone": "+213661000000",
            "webhook_id": hook.id,
            "delivery_id": delivery.id,
        },
    }


async def test_schemathesis_finds_no_server_error_and_no_schema_break(db: str, capsys: Any) -> None:
    shop = await make_shop(stock=50)
    pinned = await _pinned(shop)
    config = WebConfig(
        secret_key="test",
        checkout_ip_limit=100_000,
        api_rate_limit="100000/1",
        dispatcher=CourierDispatch(Sealer("test")),
    )
    async with serve(config) as client:
        run = Run(str(client.make_url("")).rstrip("/"), shop.api_key, pinned)
        await asyncio.to_thread(_fuzz_all, run)
    with capsys.disabled():
        print(f"\nschemathesis: {run.cases} cases run, {len(run.failures)} failing operations")
    for (label, status), count in sorted(run.statuses.items()):  # shown with -s
        print(f"  {label}: {status} ×{count}")
    assert run.cases > 0
    assert not run.failures, "\n\n".join(run.failures)
