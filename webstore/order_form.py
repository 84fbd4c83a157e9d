"""The checkout form (SPEC §4 Contract fields) as typed by the customer, its messages, and the
delivery choices a store offers, ready for the templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from models.orders.checkout import CheckoutRequest, LineRequest
from models.shipping import geography
from models.shipping.fees import DESK, HOME, FeeRow, lookup_fee, served_wilayas
from models.stores import cache, setup
from models.stores.tables import Store
from webstore.i18n import Translator
from webstore.messages import NOTICES, field_message

FIELDS = ("name", "phone", "wilaya", "commune", "address", "delivery_type", "note")
QUICK_ORDER_FIELDS = ("variant_id", "quantity")
# Hidden from people by the stylesheet; bots that fill every input fill this one too.
HONEYPOT = "website"
# Values are echoed back into the page; what is longer is refused anyway.
ECHO_LIMIT = 1000


def _text(value: object) -> str:
    """A form value as text; an uploaded file or a missing field is ''."""
    return value[:ECHO_LIMIT] if isinstance(value, str) else ""


@dataclass(slots=True)
class OrderForm:
    values: dict[str, str] = field(default_factory=lambda: {"delivery_type": HOME})
    errors: dict[str, str] = field(default_factory=dict)  # field → models.orders.checkout reason
    notice: str = ""  # a key of messages.NOTICES, shown above the form

    @classmethod
    def from_post(cls, post: Mapping[str, Any]) -> OrderForm:
        names = (*FIELDS, *QUICK_ORDER_FIELDS, HONEYPOT)
        return cls({name: _text(post.get(name)) for name in names})

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def wilaya_code(self) -> int | None:
        return geography.parse_wilaya_code(self.get("wilaya"))

    def failed(self, errors: dict[str, str]) -> OrderForm:
        self.errors, self.notice = errors, "invalid"
        return self

    def checkout_request(self, lines: list[LineRequest], client_ip: str) -> CheckoutRequest:
        get = self.get
        return CheckoutRequest(
            name=get("name"),
            phone=get("phone"),
            wilaya=get("wilaya"),
            commune=get("commune"),
            address=get("address"),
            delivery_type=get("delivery_type"),
            note=get("note"),
            lines=lines,
            source="storefront",
            client_ip=client_ip,
        )

    def error_text(self, name: str, _: Translator) -> str:
        reason = self.errors.get(name)
        if reason is None:
            return ""
        message, params = field_message(name, reason)
        return _(message, **params)

    def notice_text(self, _: Translator) -> str:
        return _(NOTICES[self.notice]) if self.notice in NOTICES else ""


@dataclass(frozen=True, slots=True)
class Delivery:
    """The wilayas a store serves (fee row and allowed list) and what each costs."""

    fees: Mapping[int, FeeRow]
    # The fees as one string, for keys of pages drawn once (a string keeps its hash).
    signature: str = ""

    def fee(self, wilaya_code: int | None, delivery_type: str) -> int | None:
        return lookup_fee(self.fees, wilaya_code, delivery_type)

    def as_json(self) -> dict[str, list[int | None]]:
        """For the page's script: {"16": [home, desk]}, null where not offered."""
        return {str(code): [row.home, row.desk] for code, row in self.fees.items()}

    # The two longest parts of an order form to draw are the same for every visitor of a
    # store: drawn once per fee table (and language, and choice), then reused.

    def wilaya_options(self, lang: str, selected: int | None) -> Markup:
        """The `<option>`s of the wilaya select, `selected` ticked."""
        return _wilaya_options(tuple(sorted(self.fees)), lang, selected)

    def fees_json(self) -> Markup:
        """`as_json()` for a `<script type="application/json">`, as Jinja's `tojson` writes it."""
        return _fees_json(tuple(sorted(self.fees.items())))


@lru_cache(maxsize=1024)
def _wilaya_options(codes: tuple[int, ...], lang: str, selected: int | None) -> Markup:
    option = Markup('    <option value="{}"{}>{}</option>')
    ticked = Markup(" selected")
    return Markup("\n").join(
        option.format(w.code, ticked if w.code == selected else "", w.label(lang))
        for w in geography.wilayas()
        if w.code in codes
    )


@lru_cache(maxsize=256)
def _fees_json(fees: tuple[tuple[int, FeeRow], ...]) -> Markup:
    return htmlsafe_json_dumps(Delivery(dict(fees)).as_json(), sort_keys=True)


async def load_delivery(store: Store) -> Delivery:
    """What the store delivers where (kept in memory: models.stores.cache; read only)."""
    return await cache.cached(store.id, "delivery", lambda: _load_delivery(store))


async def _load_delivery(store: Store) -> Delivery:
    served = served_wilayas(await setup.fee_table(store), store.allowed_wilayas or ())
    return Delivery(served, repr(sorted((c, r.home, r.desk) for c, r in served.items())))


def _delivery_type(asked: str, home_fee: int | None, desk_fee: int | None, known: bool) -> str:
    """The type to tick: the one asked when offered there, else the one that is."""
    if not known:
        return DESK if asked == DESK else HOME
    if asked == DESK and desk_fee is not None:
        return DESK
    return HOME if home_fee is not None else DESK


def form_context(lang: str, form: OrderForm, delivery: Delivery, subtotal: int) -> dict[str, Any]:
    """What `_order_fields.html` needs: the values, the commune list of the chosen wilaya
    (so the form works without JavaScript), the fees offered there and the total."""
    code = form.wilaya_code if form.wilaya_code in delivery.fees else None
    home_fee, desk_fee = delivery.fee(code, HOME), delivery.fee(code, DESK)
    delivery_type = _delivery_type(form.get("delivery_type"), home_fee, desk_fee, code is not None)
    fee = delivery.fee(code, delivery_type)
    return {
        "form": form,
        "delivery": delivery,
        "wilaya_code": code,
        "communes": [(c.ons_code, c.label(lang)) for c in geography.communes_of(code or 0)],
        "home_fee": home_fee,
        "desk_fee": desk_fee,
        "delivery_type": delivery_type,
        "fee": fee,
        "subtotal": subtotal,
        "total": subtotal + (fee or 0),
    }
