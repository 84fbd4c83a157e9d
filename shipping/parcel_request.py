"""The parcel a courier is asked to create for an order: our data in the courier's words.

Names travel in the courier's own spelling when its reference data was synced (our commune
"Ain Oussera" may be its "Aïn Ouessara"); otherwise in ours, which the adapters match by
folded name within the wilaya.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from couriers.base import ParcelRequest
from models.customers.phones import national_display
from models.orders.tables import Order, OrderLine
from models.shipping.geography import get_commune, get_wilaya
from models.shipping.parcels import ParcelToCreate

MAX_PRODUCTS = 250  # couriers print it on the label; the longest fields seen hold 255


def products_summary(lines: list[OrderLine]) -> str:
    """ "Robe kabyle (Taille: M) x2, Foulard x1", cut to what a label holds."""
    parts = [f"{line.label()} x{line.quantity}" for line in lines]
    text = ", ".join(parts)
    return text if len(text) <= MAX_PRODUCTS else text[: MAX_PRODUCTS - 1] + "…"


def national_phone(e164: str) -> str:
    """+213550123456 → 0550123456, the form every courier API takes."""
    return "".join(c for c in national_display(e164) if c.isdigit())


def _courier_names(order: Order, reference: Mapping[str, Any]) -> tuple[str, str]:
    wilayas = reference.get("wilayas") or {}
    communes = reference.get("communes") or {}
    ours = get_wilaya(order.wilaya_code_58)
    wilaya = wilayas.get(str(order.wilaya_code_58)) or (ours.name_fr if ours else "")
    commune = (communes.get(order.commune_code) or {}).get("name") or order.commune_name
    return str(wilaya), str(commune)


def _commune_aliases(order: Order) -> tuple[str, ...]:
    """Every name we know for the order's commune (French, Arabic, aliases), for couriers
    that match it against their own list."""
    ours = get_commune(order.commune_code) if order.commune_code else None
    names = [order.commune_name, *((ours.name_fr, ours.name_ar, *ours.aliases) if ours else ())]
    return tuple(dict.fromkeys(n for n in names if n))


def parcel_request(job: ParcelToCreate) -> ParcelRequest:
    """The ParcelRequest for a shipment waiting for its parcel. The amount collected at the
    door is the order's total (goods + delivery) as stored on the shipment at dispatch;
    each adapter turns it into what its API means by its amount field."""
    order, shipment = job.order, job.shipment
    reference = job.account.reference if job.account is not None else {}
    wilaya, commune = _courier_names(order, reference or {})
    return ParcelRequest(
        reference=shipment.reference,
        recipient_name=order.name,
        phone=national_phone(order.phone),
        address=order.address,
        wilaya_code_58=order.wilaya_code_58,
        wilaya_name=wilaya,
        commune_name=commune,
        delivery_type=order.delivery_type,
        products=products_summary(job.lines),
        quantity=sum(line.quantity for line in job.lines) or 1,
        goods_value=order.subtotal,
        delivery_fee=order.delivery_fee,
        cod_amount=shipment.cod_amount,
        stopdesk_id=shipment.stopdesk_id or None,
        free_shipping=order.delivery_fee == 0,
        note=order.note,
        commune_aliases=_commune_aliases(order),
    )
