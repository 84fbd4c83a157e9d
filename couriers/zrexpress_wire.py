"""ZR Express wire format (couriers/zrexpress.md): territories (wilayas and communes are
UUIDs there, loaded once per courier instance and resolved by wilaya code and folded commune
name within the wilaya, since homonym communes exist in different wilayas), pickup points,
rates, workflows, the parcel body, and the API's problem details."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from couriers.base import (
    CourierCommune,
    CourierRejected,
    CreatedParcel,
    Fee,
    ParcelRequest,
    StopDesk,
    fold,
)
from couriers.zrexpress_statuses import READY_KEYS, RECEIVED_KEYS, state_key

Search = Callable[[str], Awaitable[list[dict[str, Any]]]]  # every item of a …/search


@dataclass(frozen=True, slots=True)
class Territory:
    id: str
    code: int
    name: str
    level: str  # "wilaya" | "commune"
    parent_id: str
    has_pickup_point: bool


def obj(value: object) -> dict[str, Any]:
    """A JSON object of an answer, or {} when the courier sent something else there."""
    return value if isinstance(value, dict) else {}


def _code(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _territory(item: Mapping[str, Any]) -> Territory:
    delivery = item.get("delivery") or {}
    return Territory(
        id=str(item.get("id", "")),
        code=_code(item.get("code") or 0),
        name=str(item.get("name", "")),
        level=str(item.get("level", "")).lower(),
        parent_id=str(item.get("parentId") or ""),
        has_pickup_point=isinstance(delivery, dict) and delivery.get("hasPickupPoint") is True,
    )


class Territories:
    def __init__(self, search: Search) -> None:
        self._search = search
        self._lock = asyncio.Lock()
        self._all: list[Territory] | None = None

    async def all(self) -> list[Territory]:
        async with self._lock:
            if self._all is None:
                self._all = [_territory(i) for i in await self._search("territories/search")]
        return self._all

    async def wilayas(self) -> list[Territory]:
        found = [t for t in await self.all() if t.level == "wilaya" and 1 <= t.code <= 58]
        return sorted(found, key=lambda t: t.code)

    async def wilaya(self, code: int) -> Territory:
        for territory in await self.wilayas():
            if territory.code == code:
                return territory
        raise CourierRejected(f"zrexpress does not serve wilaya {code}")

    async def communes(self, code: int) -> list[Territory]:
        parent = await self.wilaya(code)
        return [t for t in await self.all() if t.level == "commune" and t.parent_id == parent.id]

    async def resolve(self, code: int, commune_name: str) -> tuple[str, str]:
        """The (wilaya UUID, commune UUID) of a commune named within its wilaya."""
        wanted = fold(commune_name)
        for commune in await self.communes(code):
            if fold(commune.name) == wanted:
                return commune.parent_id, commune.id
        raise CourierRejected(f"zrexpress: no commune {commune_name!r} in wilaya {code}")

    async def code_of(self, territory_id: str) -> int:
        for territory in await self.all():
            if territory.id == territory_id:
                return territory.code
        return 0


async def communes_of(territories: Territories, code: int) -> list[CourierCommune]:
    return [
        CourierCommune(code, c.name, courier_id=c.id, has_stop_desk=c.has_pickup_point)
        for c in await territories.communes(code)
    ]


async def pickup_points(
    hubs: Sequence[Mapping[str, Any]], territories: Territories, code: int | None
) -> list[StopDesk]:
    desks = []
    for hub in hubs:
        address = obj(hub.get("address"))
        wilaya = await territories.code_of(str(address.get("cityTerritoryId", "")))
        if hub.get("isPickupPoint") is True and hub.get("id") and (code is None or wilaya == code):
            desks.append(
                StopDesk(
                    id=str(hub["id"]),
                    name=str(hub.get("name", "")),
                    wilaya_code_58=wilaya,
                    commune_name=str(address.get("district") or ""),
                    address=str(address.get("street") or ""),
                )
            )
    return desks


def fees_of(answer: Mapping[str, Any]) -> list[Fee]:
    """Wilaya-level rates; commune-level rows (exceptions inside a wilaya) are left out,
    since a Fee is per wilaya."""
    fees = []
    rates = answer.get("rates")
    for rate in (obj(r) for r in (rates if isinstance(rates, list) else [])):
        if str(rate.get("toTerritoryLevel", "")).lower() != "wilaya":
            continue
        listed = rate.get("deliveryPrices")
        prices = {
            str(p.get("deliveryType")): p.get("discountedPrice") or p.get("price")
            for p in (obj(p) for p in (listed if isinstance(listed, list) else []))
        }
        if not 1 <= _code(rate.get("toTerritoryCode")) <= 58:
            continue
        fees.append(
            Fee(
                _code(rate.get("toTerritoryCode")),
                _price(prices.get("home")),
                _price(prices.get("pickup-point")),
            )
        )
    return sorted(fees, key=lambda f: f.wilaya_code_58)


def _price(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None


def intl_phone(phone: str) -> str:
    """A national 0XXXXXXXXX number in the +213 form ZR takes."""
    digits = "".join(c for c in phone if c.isdigit())
    return "+213" + digits.removeprefix("213").removeprefix("0")


def parcel_body(
    request: ParcelRequest, city: str, district: str, customer_id: str
) -> dict[str, Any]:
    quantity = max(request.quantity, 1)
    split = request.goods_value % quantity == 0
    return {
        "customer": {
            "customerId": customer_id,
            "name": request.recipient_name,
            "phone": {"number1": intl_phone(request.phone)},
        },
        "deliveryAddress": {
            "cityTerritoryId": city,
            "districtTerritoryId": district,
            "street": request.address,
        },
        "orderedProducts": [
            {
                "productName": request.products,
                "unitPrice": request.goods_value // quantity if split else request.goods_value,
                "quantity": quantity if split else 1,
                "stockType": "none",
            }
        ],
        "description": request.note or request.products,
        "amount": request.cod_amount,
        "externalId": request.reference,
        "weight": {"weight": request.weight_kg},
        "deliveryType": "pickup-point" if request.delivery_type == "desk" else "home",
    }


@dataclass(frozen=True, slots=True)
class Workflow:
    id: str
    name: str
    states: dict[str, str]  # state id → name

    @property
    def ready(self) -> str | None:
        """The id of this workflow's ready-to-dispatch state."""
        return next((i for i, n in self.states.items() if state_key(n) in READY_KEYS), None)

    @property
    def received(self) -> str | None:
        return next((i for i, n in self.states.items() if state_key(n) in RECEIVED_KEYS), None)


def workflows_of(items: Sequence[Mapping[str, Any]]) -> list[Workflow]:
    found = []
    for item in items:
        states = item.get("states")
        rows = [s for s in states if isinstance(s, dict)] if isinstance(states, list) else []
        named = {str(s["id"]): str(s.get("name", "")) for s in rows if s.get("id")}
        found.append(Workflow(str(item.get("id", "")), str(item.get("name", "")), named))
    return found


def workflow_holding(workflows: Sequence[Workflow], state_id: str, name: str) -> Workflow | None:
    """The workflow a parcel's current state belongs to (by id, else by name if unique)."""
    by_id = [w for w in workflows if state_id and state_id in w.states]
    if by_id:
        return by_id[0]
    by_name = [w for w in workflows if state_key(name) in map(state_key, w.states.values())]
    return by_name[0] if len(by_name) == 1 else None


def missing_states(workflows: Sequence[Workflow]) -> str:
    """What the account's workflows lack for a first dispatch ("" when nothing)."""
    if not workflows:
        return "the account has no workflow (workflows/search answered none)"
    if any(w.ready for w in workflows):
        return ""
    seen = sorted({n for w in workflows for n in w.states.values()})
    return (
        "no ready-to-dispatch state in the account's workflows (looked for "
        f"{' or '.join(('pret_a_expedier', 'ReadyToDispatch'))}; states found: "
        f"{', '.join(seen) or 'none'})"
    )


def shape(answer: object, limit: int = 300) -> str:
    """An answer as the team may read it (cut short)."""
    text = answer if isinstance(answer, str) else repr(answer)
    return text if len(text) <= limit else text[:limit] + "…"


def created(parcel: Mapping[str, Any], parcel_id: str, reference: str) -> CreatedParcel:
    fee = parcel.get("deliveryPrice")
    fee = fee if not isinstance(fee, bool) else None
    return CreatedParcel(
        tracking=str(parcel.get("trackingNumber") or parcel_id),
        reference=reference,
        fee=int(fee) if isinstance(fee, int | float) else None,
        raw=dict(parcel),
    )


def problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return errors(body) if isinstance(body, dict) else f"HTTP {response.status_code}"


def errors(body: Mapping[str, Any]) -> str:
    """A ProblemDetails body as one line."""
    parts = [
        str(body.get(k)) for k in ("title", "detail", "message", "errorMessage") if body.get(k)
    ]
    detail = body.get("errors")
    if isinstance(detail, Mapping):
        parts += [f"{field}: {'; '.join(map(str, msgs))}" for field, msgs in detail.items()]
    elif isinstance(detail, list):
        parts += [str(e) for e in detail]
    return " — ".join(parts) or "no reason given"
