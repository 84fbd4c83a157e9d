"""What the Shipping screen prints: one PDF of the parcels' labels (the store's format,
A4 sheets or 10×15 cm thermal; the couriers' own PDFs where they gave one) and the pick
list of the orders, drawn by `printing`.

Telegram opens a file in the phone's browser or downloads it itself, without the page's
init data, so the page first asks for a link (`POST …/shipping/print`, the person checked
as everywhere) and gets a signed one, good for a few minutes, naming the store, the orders
and who asked — who must still be an active member when it is opened."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from i18n import format_dinars
from models.customers.phones import national_display
from models.orders.stats import ALGIERS
from models.shipping import bulk as bulk_shipping
from models.shipping.bulk import LabelFacts
from models.shipping.geography import get_wilaya
from models.stores.tables import Store
from models.team.tables import Member
from webstore.api_errors import ApiError
from webstore.config import CONFIG
from webstore.desk_auth import desk_user
from webstore.desk_http import MAX_NUMBER, guarded, read_body
from webstore.desk_shipping_words import PAPER
from webstore.i18n import LANGS
from webstore.visit import CATALOGUES

if TYPE_CHECKING:
    from printing.labels import ParcelLabel

LINK_SECONDS = 600
PURPOSE = "desk-print"
PDF = "application/pdf"


class PrintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["labels", "pick_list"]
    orders: list[StrictInt] = Field(min_length=1, max_length=bulk_shipping.MAX_BATCH)


def _key(secret: str) -> bytes:
    # Its own key: a print link never passes for another token of the store.
    return hashlib.sha256(f"hanout:{PURPOSE}:{secret}".encode()).digest()


def sign_link(secret: str, claims: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode())
    text = body.decode().rstrip("=")
    return text + "." + hmac.new(_key(secret), text.encode(), hashlib.sha256).hexdigest()


def read_link(secret: str, token: str) -> dict[str, Any] | None:
    """The claims of a link we signed that has not expired, else None."""
    text, _, mac = token.partition(".")
    expected = hmac.new(_key(secret), text.encode(), hashlib.sha256).hexdigest()
    if not mac.isascii() or not hmac.compare_digest(expected, mac):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        return None
    if not isinstance(claims, dict) or int(claims.get("e", 0)) < time.time():
        return None
    return claims


async def ask_link(request: web.Request) -> web.Response:
    """`{"kind": "labels"|"pick_list", "orders": [...]}` → `{"url", "count"}`; 409 when
    no label is ready yet (the couriers have not created the parcels)."""
    who = await desk_user(request, request.match_info["slug"])
    body = await read_body(request, PrintIn)
    numbers = list(dict.fromkeys(n for n in body.orders if 0 < n <= MAX_NUMBER))
    count = len(numbers)
    if body.kind == "labels":
        count = len(await bulk_shipping.parcels_to_label(who.store, numbers))
        if not count:
            raise ApiError(409, "no_labels", "No parcel of these orders is created yet")
    claims = {
        "s": who.store.id,
        "u": who.user.id,
        "l": who.lang,
        "k": body.kind,
        "n": numbers,
        "e": int(time.time()) + LINK_SECONDS,
    }
    token = sign_link(request.app[CONFIG].secret_key, claims)
    name = f"{who.store.slug}-{body.kind.replace('_', '-')}-{_today()}.pdf"
    return web.json_response({"url": f"/desk/print/{token}/{name}", "count": count})


def _today() -> str:
    return datetime.now(ALGIERS).date().isoformat()


def _label(facts: LabelFacts, store: Store, lang: str, words: dict[str, str]) -> ParcelLabel:
    # The PDF makers (reportlab, Pillow, ~30 MB) load at the first print, not in every process.
    from printing.labels import ParcelLabel

    order, shipment = facts.order, facts.shipment
    wilaya = get_wilaya(order.wilaya_code)
    place = f"{wilaya.label(lang) if wilaya else order.wilaya_code} · {order.commune_name}"
    delivery = words["home"]
    if order.delivery_type == "desk":
        delivery = f"{words['desk']}: {shipment.stopdesk_name or shipment.stopdesk_id or '—'}"
    items = ", ".join(f"{line.label()} × {line.quantity}" for line in facts.lines)
    return ParcelLabel(
        store=store.name,
        number=order.number,
        courier=shipment.courier,
        tracking=shipment.tracking or "",
        name=order.name,
        phone=national_display(order.phone),
        place=place,
        address=order.address,
        delivery=delivery,
        cod=format_dinars(shipment.cod_amount, lang),
        items=items,
        courier_pdf=shipment.label if "pdf" in shipment.label_type.lower() else None,
    )


async def _labels(store: Store, numbers: list[int], lang: str, words: dict[str, str]) -> bytes:
    facts = await bulk_shipping.parcels_to_label(store, numbers)
    if not facts:
        raise ApiError(409, "no_labels", "No parcel of these orders is created yet")
    labels = [_label(f, store, lang, words) for f in facts]
    from printing.labels import label_pdf  # at the first print (see _label)

    return label_pdf(labels, store.label_format, words)


async def _pick_list(store: Store, numbers: list[int], lang: str, words: dict[str, str]) -> bytes:
    lines = await bulk_shipping.pick_lines(store, numbers)
    from printing.pick_list import PickRow, pick_list_pdf  # at the first print (see _label)

    rows = [PickRow(p.product, p.variant, p.sku, p.units, p.orders) for p in lines]
    title = f"{store.name} · {words['pick_title']} · {_today()}"
    subtitle = words["pick_orders"] % {"count": len(numbers)}
    return pick_list_pdf(rows, title, subtitle, words)


async def _holder(claims: dict[str, Any]) -> Store:
    store = await Store.get_or_none(id=int(claims["s"]))
    member = store and await Member.get_or_none(
        store_id=store.id, telegram_user_id=int(claims["u"]), active=True
    )
    if store is None or member is None:
        raise ApiError(403, "forbidden", "Only the store's team prints its labels")
    return store


async def printed(request: web.Request) -> web.Response:
    """The PDF a link names, drawn now (a parcel created since the link counts)."""
    claims = read_link(request.app[CONFIG].secret_key, request.match_info["token"])
    if claims is None:
        raise ApiError(404, "not_found", "This print link is unknown or expired")
    store = await _holder(claims)
    lang = claims["l"] if claims.get("l") in LANGS else store.lang
    _ = request.app[CATALOGUES].translator(lang)
    words = {key: _(message) for key, message in PAPER.items()}
    numbers = [int(n) for n in claims["n"]]
    draw = _labels if claims["k"] == "labels" else _pick_list
    pdf = await draw(store, numbers, lang, words)
    disposition = f'inline; filename="{request.match_info["name"]}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "private, no-store"}
    return web.Response(body=pdf, content_type=PDF, headers=headers)


def setup(app: web.Application) -> None:
    app.router.add_post("/desk/api/{slug}/shipping/print", guarded(ask_link))
    app.router.add_get(
        r"/desk/print/{token:[A-Za-z0-9_.-]{20,8000}}/{name:[a-z0-9.-]{1,120}}", guarded(printed)
    )
