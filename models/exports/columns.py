"""The columns of the export files: what each shows of an order (or of an order line), in
which kind of cell, and how wide; and each format's media type. Headers and words come from
models.exports.labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, TypeVar

from models.customers.phones import national_display
from models.exports.labels import Labels
from models.exports.reading import ExportRow
from models.orders.tables import OrderLine
from models.shipping.courier_names import courier_display_name
from models.shipping.geography import get_commune, get_wilaya

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Kind = Literal["int", "money", "text", "datetime"]
R = TypeVar("R")
Value = int | str | datetime | None


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    key: str  # the header's key in export_labels.WORDS
    kind: Kind
    value: Callable[[R, Labels], Value]
    width: int = 14


def _items(row: ExportRow) -> str:
    """`Robe kabyle (Taille: M) ×2; Foulard ×1`."""
    return "; ".join(f"{line.label()} ×{line.quantity}" for line in row.lines)


def _wilaya(row: ExportRow, labels: Labels) -> str:
    wilaya = get_wilaya(row.order.wilaya_code)
    return wilaya.label(labels.lang) if wilaya else f"{row.order.wilaya_code:02d}"


def _commune(row: ExportRow, labels: Labels) -> str:
    commune = get_commune(row.order.commune_code)
    return commune.label(labels.lang) if commune else row.order.commune_name


def _parcel_status(row: ExportRow, labels: Labels) -> str:
    # A parcel's status is shown once the courier has told us one (a parcel dispatched by
    # hand never hears from a courier: its order status says it all).
    shipment = row.shipment
    return labels.parcel(shipment.status) if shipment and shipment.status_at else ""


def _courier_says(row: ExportRow, labels: Labels) -> str:
    shipment = row.shipment
    if shipment is None:
        return ""
    return " — ".join(text for text in (shipment.raw_status, shipment.raw_reason) if text)


def _courier(row: ExportRow, labels: Labels) -> str:
    courier = row.order.courier
    return labels.word("manual_courier") if courier == "manual" else courier_display_name(courier)


def _stopdesk(row: ExportRow, labels: Labels) -> str:
    shipment = row.shipment
    return (shipment.stopdesk_name or shipment.stopdesk_id) if shipment else ""


def _cancel_reason(row: ExportRow, labels: Labels) -> str:
    """`Refus du client — trop cher`: the reason picked and the words typed with it."""
    order = row.order
    words = (labels.cancel_reason(order.cancel_reason), order.cancel_note)
    return " — ".join(w for w in words if w)


def _confirmed_by(row: ExportRow, labels: Labels) -> str:
    event = row.confirmation
    return (event.actor_name or event.actor_kind) if event else ""


ORDER_COLUMNS: tuple[Column[ExportRow], ...] = (
    Column("number", "int", lambda r, _: r.order.number, 10),
    Column("created_at", "datetime", lambda r, _: r.order.created_at, 17),
    Column("status", "text", lambda r, t: t.status(r.order.status.value)),
    Column("customer", "text", lambda r, _: r.order.name, 22),
    Column("phone", "text", lambda r, _: national_display(r.order.phone), 16),
    Column("wilaya", "text", _wilaya, 18),
    Column("commune", "text", _commune, 18),
    Column("address", "text", lambda r, _: r.order.address, 30),
    Column("delivery", "text", lambda r, t: t.delivery(r.order.delivery_type), 18),
    Column("items", "text", lambda r, _: _items(r), 40),
    Column("quantity", "int", lambda r, _: r.quantity, 10),
    Column("subtotal", "money", lambda r, _: r.order.subtotal),
    Column("delivery_fee", "money", lambda r, _: r.order.delivery_fee),
    Column("total", "money", lambda r, _: r.order.total),
    Column("calls", "int", lambda r, _: r.order.call_attempts, 10),
    Column("last_call", "text", lambda r, t: t.outcome(r.order.last_call_outcome), 18),
    Column("confirmed_by", "text", _confirmed_by, 16),
    Column(
        "confirmed_at", "datetime", lambda r, _: r.confirmation.at if r.confirmation else None, 17
    ),
    Column("courier", "text", _courier),
    Column("tracking", "text", lambda r, _: r.order.tracking, 18),
    Column("stopdesk", "text", _stopdesk, 22),
    Column("parcel_status", "text", _parcel_status, 18),
    Column(
        "parcel_status_at",
        "datetime",
        lambda r, _: r.shipment.status_at if r.shipment else None,
        17,
    ),
    Column("courier_says", "text", _courier_says, 24),
    Column("courier_fee", "money", lambda r, _: r.shipment.fee if r.shipment else None),
    Column("cancel_reason", "text", _cancel_reason, 28),
    Column("cancelled_by", "text", lambda r, _: r.order.cancelled_by, 16),
    Column("cancelled_at", "datetime", lambda r, _: r.order.cancelled_at, 17),
    Column("note", "text", lambda r, _: r.order.note, 24),
    Column("updated_at", "datetime", lambda r, _: r.order.updated_at, 17),
)

Line = tuple[ExportRow, OrderLine]
LINE_COLUMNS: tuple[Column[Line], ...] = (
    Column("number", "int", lambda r, _: r[0].order.number, 10),
    Column("created_at", "datetime", lambda r, _: r[0].order.created_at, 17),
    Column("status", "text", lambda r, t: t.status(r[0].order.status.value)),
    Column("sku", "text", lambda r, _: r[1].sku, 16),
    Column("product", "text", lambda r, _: r[1].product_name, 28),
    Column("variant", "text", lambda r, _: r[1].variant_label, 20),
    Column("unit_price", "money", lambda r, _: r[1].unit_price),
    Column("quantity", "int", lambda r, _: r[1].quantity, 10),
    Column("line_total", "money", lambda r, _: r[1].line_total),
)
