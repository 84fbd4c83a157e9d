"""The checkout under generated input: whatever a form or a client sends (fields missing,
too long, in any script, with control characters, absurd quantities, ids that are not
numbers, places that do not exist) is either a valid draft or a per-field refusal, never an
exception; and the storefront answers any posted body without a 5xx, creating an order only
for input the checkout accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from models.errors import InvalidOrder
from models.orders.checkout import (
    MAX_ADDRESS,
    MAX_NAME,
    MAX_NOTE,
    MAX_QUANTITY,
    CheckoutRequest,
    Draft,
    LineRequest,
    validate,
)
from models.orders.tables import Order, OrderEvent, OrderLine
from models.shipping import geography
from models.shipping.fees import DELIVERY_TYPES
from tests.factories import Shop, make_shop
from tests.webstore.test_storefront import PRODUCT, csrf_of
from webstore.app import create_app
from webstore.cart import parse_variant_id
from webstore.config import WebConfig
from webstore.order_form import FIELDS, HONEYPOT, QUICK_ORDER_FIELDS, OrderForm

PURE = settings(max_examples=300, deadline=None, derandomize=True, database=None)
MISSING = object()
REASONS = frozenset(
    {
        "required",
        "too_short",
        "too_long",
        "invalid",
        "unknown",
        "other_wilaya",
        "empty",
        "too_many",
        "unknown_variant",
        "out_of_range",
    }
)

# Values close to what people type, the edges of each rule, and what only a bot sends.
huge = st.builds(lambda c, n: c * n, st.characters(codec="utf-8"), st.integers(200, 5000))
control = st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=8)
FIELD_VALUES: dict[str, list[str]] = {
    "name": ["Amina Benali", "أمينة بن علي", "A", "  Karim \x00 Ziani ", "x" * (MAX_NAME + 1)],
    "phone": [
        "0550 12 34 56",
        "+213661234567",
        "٠٧٧١ ٢٣ ٤٥ ٦٧",
        "021 23 45 67",
        "12",
        "+33612345678",
    ],
    "wilaya": ["16", "31", "1", "06", "٠١٦", "99", "0", "-16", "16.0", " 16 ", "Alger"],
    "commune": ["1601", "3101", "101", "0101", "9999", "16O1", "-1", "١٦٠١"],
    "address": ["12 rue Didouche Mourad", "حي 500 مسكن", "ab", "\t\n", "a" * (MAX_ADDRESS + 1)],
    "delivery_type": ["home", "desk", "HOME", "drone", " home"],
    "note": ["Appeler après 18h", "", "n" * (MAX_NOTE + 1)],
    "variant_id": ["0", "-1", "abc", "1e3", "99999999999999", "١", "²", "2147483648", " 1 "],
    "quantity": ["1", "99", "100", "0", "-5", "1.5", "1_0", "٣", " 2 ", "10" * 2000, "nan"],
}


def field(name: str, extra: list[str] | None = None) -> st.SearchStrategy[object]:
    return st.one_of(
        st.sampled_from([*FIELD_VALUES[name], *(extra or [])]),
        st.just(MISSING),
        st.text(max_size=40),
        control,
        huge,
    )


def form_fields(variant_ids: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """A filled-in form with up to four fields changed or left out: most bodies are nearly
    right, which is where the checkout's rules are exercised one by one."""
    names = (*FIELDS, *QUICK_ORDER_FIELDS)
    extra = {"variant_id": variant_ids}

    def mutate(phone: str, variant: str, changes: dict[str, object]) -> dict[str, str]:
        post = {n: FIELD_VALUES[n][0] for n in names} | {"phone": phone, "variant_id": variant}
        post.update(changes)  # type: ignore[arg-type]
        return {k: v for k, v in post.items() if v is not MISSING}

    changes = st.sampled_from(names).flatmap(
        lambda n: st.tuples(st.just(n), field(n, extra.get(n)))
    )
    return st.builds(
        mutate,
        st.integers(0, 99).map(lambda n: f"05 50 12 34 {n:02d}"),
        st.sampled_from(variant_ids),
        st.lists(changes, max_size=4).map(dict),
    )


def check_draft(draft: Draft) -> None:
    """A draft holds only values every rule accepted."""
    for text, lo, hi in ((draft.name, 2, MAX_NAME), (draft.address, 3, MAX_ADDRESS)):
        assert lo <= len(text) <= hi and text == text.strip()
    assert len(draft.note) <= MAX_NOTE
    assert all(c.isprintable() or c == " " for c in draft.name + draft.address + draft.note)
    assert draft.phone.kind == "mobile" and draft.phone.e164.startswith("+213")
    assert geography.get_wilaya(draft.wilaya.code) == draft.wilaya
    assert draft.commune.wilaya_code == draft.wilaya.code
    assert draft.delivery_type in DELIVERY_TYPES
    assert draft.quantities and all(1 <= q <= MAX_QUANTITY for q in draft.quantities.values())


def judged(request: CheckoutRequest) -> Draft | dict[str, str]:
    """validate's verdict: the draft, or the refused fields (any other outcome fails)."""
    try:
        draft = validate(request)
    except InvalidOrder as exc:
        assert exc.errors and set(exc.errors.values()) <= REASONS, exc.errors
        return exc.errors
    check_draft(draft)
    return draft


# --- the pure checkout --------------------------------------------------------------------

any_value = st.one_of(st.text(max_size=40), huge, control, st.none(), st.integers(), st.floats())
line_requests = st.builds(
    LineRequest,
    variant_id=st.one_of(st.none(), st.integers(-(2**63), 2**63)),
    sku=st.one_of(st.none(), st.text(max_size=80)),
    quantity=st.one_of(
        st.integers(-(10**12), 10**12), st.text(max_size=12), st.floats(), st.booleans(), st.none()
    ),
)


@PURE
@given(
    fields=st.fixed_dictionaries({name: st.one_of(field(name), any_value) for name in FIELDS}),
    lines=st.lists(line_requests, max_size=35),
)
@example(fields={n: FIELD_VALUES[n][0] for n in FIELDS}, lines=[LineRequest(7, None, "3")])
def test_validate_gives_a_draft_or_field_errors(
    fields: dict[str, object], lines: list[LineRequest]
) -> None:
    values = {k: ("" if v is MISSING else v) for k, v in fields.items()}
    verdict = judged(CheckoutRequest(lines=lines, **values))  # type: ignore[arg-type]
    event("draft" if isinstance(verdict, Draft) else "refused")


@PURE
@given(post=form_fields(["7", "12"]))
def test_any_posted_form_becomes_a_draft_or_field_errors(post: dict[str, str]) -> None:
    form = OrderForm.from_post(post)
    assert set(form.values) == {*FIELDS, *QUICK_ORDER_FIELDS, HONEYPOT}
    assert all(isinstance(v, str) and len(v) <= 1000 for v in form.values.values())
    variant_id = parse_variant_id(form.get("variant_id"))
    lines = [LineRequest(variant_id=variant_id, quantity=form.get("quantity"))]
    verdict = judged(form.checkout_request(lines, "127.0.0.1"))
    event("draft" if isinstance(verdict, Draft) else "refused")


# --- the storefront -----------------------------------------------------------------------

Client = TestClient[Any, Any]


@pytest.fixture
async def shop(db: str) -> Shop:
    return await make_shop(stock=1000)


@pytest.fixture
async def client(db: str) -> AsyncIterator[Client]:
    # Valid fuzzed orders must not run into the per-IP budget of a real visitor.
    app = create_app(WebConfig(secret_key="fuzz", checkout_ip_limit=1_000_000))
    async with TestClient(TestServer(app, host="127.0.0.1")) as web_client:
        yield web_client


def body(post: dict[str, str], token: str, as_multipart: bool, upload: str | None) -> Any:
    fields = {"csrf_token": token, **post}
    if not as_multipart:
        return fields
    form = FormData()
    for name, value in fields.items():
        if name == upload:  # a file where text is expected
            form.add_field(name, value.encode(), filename="x.txt")
        else:
            form.add_field(name, value)
    return form


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    token_kind=st.sampled_from(["valid"] * 6 + ["missing", "forged"]),
    as_multipart=st.booleans(),
    upload=st.one_of(st.none(), st.sampled_from([*FIELDS, *QUICK_ORDER_FIELDS])),
    honeypot=st.sampled_from([""] * 7 + ["http://spam.example"]),
)
async def test_the_storefront_answers_any_posted_form_without_a_5xx(
    client: Client,
    shop: Shop,
    data: st.DataObject,
    token_kind: str,
    as_multipart: bool,
    upload: str | None,
    honeypot: str,
) -> None:
    real = [str(v.id) for v in shop.variants]
    post = data.draw(form_fields(real))
    if honeypot:
        post[HONEYPOT] = honeypot
    token = await csrf_of(client)
    token = {"valid": token, "missing": "", "forged": "0" * len(token)}[token_kind]
    before = await Order.all().count()
    response = await client.post(
        PRODUCT, data=body(post, token, as_multipart, upload), allow_redirects=False
    )
    page = await response.text()
    assert response.status < 500, page[:2000]
    created = await Order.all().count() - before
    event(f"{response.status} created={created}")
    sent = {k: ("" if k == upload and as_multipart else v) for k, v in post.items()}
    form = OrderForm.from_post(sent)
    lines = [LineRequest(parse_variant_id(form.get("variant_id")), None, form.get("quantity"))]
    accepted = isinstance(judged(form.checkout_request(lines, "127.0.0.1")), Draft)
    if response.status in (200, 303):  # thank-you, or "we already have this order"
        assert accepted and token_kind == "valid" and not honeypot
        assert created in (0, 1)  # 0: the same order again within the duplicate window
        assert response.status == 303 or created == 0
    else:
        assert created == 0
        assert response.status in (400, 403, 422, 429), response.status
    if created:
        order = await Order.all().order_by("-id").first()
        assert order is not None
        assert await OrderLine.filter(order_id=order.id).count() == 1
        assert await OrderEvent.filter(order_id=order.id, type="created").count() == 1
