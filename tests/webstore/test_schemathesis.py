"""Schemathesis over the running API with every check: every operation of
`/v1/openapi.json`, with a valid key, answers no 5xx and nothing its own document does not
describe (status, content type, headers, body); a request the document calls valid is not
refused for its form, one it calls invalid is refused; auth is not ignored; and the stateful
phase (the CLI, following the links between operations) finds nothing either.

tests/webstore/schemathesis.toml names, per operation, the refusals of valid requests that
hang on stored data, the clock or relations between values JSON Schema cannot state; such
a refusal must carry a code listed below for its operation.

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
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from models.catalog.tables import Product
from models.infra.sealing import Sealer
from models.orders.lifecycle import OrderStatus
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox import webhooks
from models.outbox.tables import OutboxMessage
from shipping.service import CourierDispatch
from tests.factories import make_shop
from tests.webstore.api_support import place, serve
from webstore.config import WebConfig

EXAMPLES = 8  # per operation, mode and pinning: keeps the run under a minute
CLI_EXAMPLES = 20  # per operation and phase of the CLI run: about 40 s
CONFIG = Path(__file__).with_name("schemathesis.toml")
# The refusals of a valid request the config expects, by operation: (status, code).
DATA_REFUSALS: dict[str, set[tuple[int, str]]] = {
    "GET /v1/exports/orders": {(400, "invalid_parameter"), (422, "invalid_input")},
    "PATCH /v1/variants/{variant_id}/stock": {(422, "invalid_input")},
    "POST /v1/orders/{number}/calls": {(422, "invalid_request"), (422, "insufficient_stock")},
    "POST /v1/orders/{number}/transitions": {(422, "insufficient_stock")},
    "POST /v1/orders/{number}/dispatch": {(422, "invalid_input")},
    "POST /v1/products": {(422, "invalid_input")},
    "POST /v1/stores/{slug}/orders": {(422, "invalid_order"), (422, "insufficient_stock")},
}
# `invalid_order` reasons that hang on the catalogue, the store's zones, the commune list,
# the phone's recent orders, lines added up, or blanks and invisible characters dropped.
ORDER_DATA_REASONS = {
    ("items", "unknown_variant"),
    ("quantity", "out_of_range"),
    ("wilaya", "not_served"),
    ("delivery_type", "not_offered"),
    ("commune", "unknown"),
    ("commune", "other_wilaya"),
    ("phone", "rate_limited"),
    ("name", "required"),
    ("name", "too_short"),
    ("address", "required"),
    ("address", "too_short"),
}


def refused_for_data_only(ctx: Any, response: Any, case: Any) -> bool | None:
    """A valid request refused with 400 or 422 carries a code its operation lists."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    error = response.json()["error"]
    allowed = DATA_REFUSALS.get(case.operation.label, set())
    refusal = f"valid request refused with {response.status_code}: {response.text[:300]}"
    assert (response.status_code, error["code"]) in allowed, refusal
    if error["code"] == "invalid_order":
        reasons = {(path.rpartition(".")[2], r) for path, r in error["fields"].items()}
        assert reasons <= ORDER_DATA_REASONS, refusal
    return True


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
        case.validate_response(
            response,
            additional_checks=[refused_for_data_only],
            headers=auth,
            transport_kwargs={"base_url": run.base_url, "headers": auth},
        )

    try:
        check()
    except Exception as exc:  # one report per operation and pass; the others still run
        run.failures.append(f"{operation.label} [{what}]\n{exc}")
    finally:
        session.close()


def _fuzz_all(run: Run) -> None:
    schema = schemathesis.openapi.from_url(
        f"{run.base_url}/v1/openapi.json", config=SchemathesisConfig.from_path(CONFIG)
    )
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
    delivery = await webhooks.save_delivery_attempt(pinged, "dead", status_code=410)
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


async def test_schemathesis_cli_with_every_check_and_the_stateful_phase(
    db: str, tmp_path: Path
) -> None:
    """The run an operator would make: `st run` with every check and phase, stateful
    included, against the served app; it must report no failure."""
    shop = await make_shop(stock=50)
    await _pinned(shop)
    config = WebConfig(
        secret_key="test",
        checkout_ip_limit=100_000,
        api_rate_limit="100000/1",
        dispatcher=CourierDispatch(Sealer("test")),
    )
    async with serve(config) as client:
        base_url = str(client.make_url("")).rstrip("/")
        command = [
            str(Path(sys.executable).with_name("st")),
            "--config-file",
            str(CONFIG),
            "run",
            f"{base_url}/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {shop.api_key}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(CLI_EXAMPLES),
            "--seed",
            "1",
            "--workers",
            "1",
            "--no-shrink",
            "--no-color",
        ]
        # The app answers from this event loop while the CLI runs (its cache in tmp_path).
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=600)
    report = output.decode(errors="replace")
    assert process.returncode == 0, report
    assert "Stateful" in report and "Scenarios:" in report, report
