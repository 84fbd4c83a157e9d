"""Customers, orders, their lines and the timeline."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.catalog.tables import Variant
from models.customers.tables import Customer
from models.orders.lifecycle import OrderStatus
from models.stores.tables import Store


class Order(Model):
    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="orders", on_delete=fields.CASCADE
    )
    store_id: int
    number = fields.IntField()
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "models.Customer", related_name="orders", on_delete=fields.RESTRICT
    )
    customer_id: int
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.PENDING)
    # Bumped on every change: the compare-and-set guard and the Telegram card version.
    version = fields.IntField(default=1)
    name = fields.CharField(max_length=120)
    phone = fields.CharField(max_length=16)
    wilaya_code = fields.SmallIntField()
    wilaya_code_58 = fields.SmallIntField()
    commune_code = fields.CharField(max_length=8)
    commune_name = fields.CharField(max_length=80)
    address = fields.CharField(max_length=500)
    delivery_type = fields.CharField(max_length=8)
    note = fields.CharField(max_length=500, default="")
    # Money is whole dinars in 64-bit columns: a total of many lines never overflows.
    subtotal = fields.BigIntField()
    delivery_fee = fields.BigIntField()
    total = fields.BigIntField()
    stock_committed = fields.BooleanField(default=False)
    source = fields.CharField(max_length=16, default="storefront")
    # Same phone + same lines inside the store's window is a duplicate, not a new order.
    fingerprint = fields.CharField(max_length=64)
    client_ip = fields.CharField(max_length=45, default="")
    call_attempts = fields.IntField(default=0)
    no_answers = fields.IntField(default=0)
    last_call_outcome = fields.CharField(max_length=24, default="")
    last_call_at = fields.DatetimeField(null=True)
    claimed_by_id = fields.CharField(max_length=64, default="")
    claimed_by_name = fields.CharField(max_length=128, default="")
    claim_expires_at = fields.DatetimeField(null=True)
    callback_at = fields.DatetimeField(null=True)
    duplicate_of = fields.IntField(null=True)
    # Set during the confirmation call (models.orders.edit): another number that reaches the
    # customer, a discount the owner gave (total = subtotal + fee - discount), the call's note.
    phone2 = fields.CharField(max_length=16, default="")
    discount = fields.BigIntField(default=0)
    call_note = fields.CharField(max_length=500, default="")
    # The first unanswered call: the no-answer policy cancels only after a minimum span.
    first_no_answer_at = fields.DatetimeField(null=True)
    # Who cancelled, when and why (models.orders.cancellation codes); empty until cancelled.
    cancel_reason = fields.CharField(max_length=16, default="")
    cancel_note = fields.CharField(max_length=300, default="")
    cancelled_by = fields.CharField(max_length=128, default="")
    cancelled_at = fields.DatetimeField(null=True)
    courier = fields.CharField(max_length=24, default="")
    tracking = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    lines: fields.ReverseRelation[OrderLine]
    events: fields.ReverseRelation[OrderEvent]

    class Meta:
        table = "order"
        unique_together = (("store", "number"),)
        # Each serves a read that must not grow with the store (bench/README.md, plans):
        # keyset pages newest first, of all orders and of one status; a status oldest first
        # (the calls to make); a phone's orders; a period's orders; the customer's (also
        # open, duplicates); the orders changed since (API sync, /stats' team figures);
        # call-backs due.
        indexes = (
            ("store", "id"),
            ("store", "status", "id"),
            ("store", "status", "created_at"),
            ("store", "phone", "created_at"),
            ("store", "created_at"),
            ("store", "updated_at"),
            ("customer",),
            ("status", "callback_at"),
        )


class OrderLine(Model):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="lines", on_delete=fields.CASCADE
    )
    variant: fields.ForeignKeyRelation[Variant] = fields.ForeignKeyField(
        "models.Variant", related_name="order_lines", on_delete=fields.RESTRICT
    )
    variant_id: int
    product_name = fields.CharField(max_length=160)
    variant_label = fields.CharField(max_length=200, default="")
    sku = fields.CharField(max_length=64)
    unit_price = fields.BigIntField()
    quantity = fields.IntField()

    class Meta:
        table = "order_line"
        indexes = (("order",),)

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    def label(self) -> str:
        """`Robe kabyle (Taille: M)`, or the product name for a product without options."""
        return (
            f"{self.product_name} ({self.variant_label})"
            if self.variant_label
            else self.product_name
        )


class OrderEvent(Model):
    """The timeline (SPEC §3.4): every change with who made it."""

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="events", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField(auto_now_add=True)
    type = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    actor_kind = fields.CharField(max_length=16)
    actor_id = fields.CharField(max_length=64, default="")
    actor_name = fields.CharField(max_length=128, default="")
    note = fields.CharField(max_length=1000, default="")
    data: fields.Field[dict[str, object]] = fields.JSONField(default=dict)

    class Meta:
        table = "order_event"
        # An order's timeline; the status changes of a period (/stats).
        indexes = (("order", "id"), ("type", "to_status", "at"))


class IdempotencyKey(Model):
    """Public intake replays: the same key returns the same order."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=128)
    request_hash = fields.CharField(max_length=64)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    order_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_key"
        unique_together = (("store", "key"),)
