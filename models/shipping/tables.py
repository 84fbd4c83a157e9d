"""Courier accounts, parcels (one per order, ever) and each store's delivery fees."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.orders.tables import Order
from models.stores.tables import Store


class CourierAccount(Model):
    """A store's account at one courier; credentials sealed with a key from SECRET_KEY."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="courier_accounts", on_delete=fields.CASCADE
    )
    store_id: int
    courier = fields.CharField(max_length=24)
    label = fields.CharField(max_length=80, default="")
    base_url = fields.CharField(max_length=255, default="")
    credentials_sealed = fields.TextField(default="")
    is_default = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)
    # The courier's own wilayas/communes/desks/fees, mapped to ours when synced.
    reference: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    reference_synced_at = fields.DatetimeField(null=True)
    last_test_ok_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "courier_account"


class Shipment(Model):
    """The parcel of an order. `reference` is our idempotency key at the courier: a retry
    after a timeout looks the parcel up by it instead of creating a second one."""

    id = fields.IntField(primary_key=True)
    order: fields.OneToOneRelation[Order] = fields.OneToOneField(
        "models.Order", related_name="shipment", on_delete=fields.CASCADE
    )
    order_id: int
    account: fields.ForeignKeyNullableRelation[CourierAccount] = fields.ForeignKeyField(
        "models.CourierAccount", related_name="shipments", null=True, on_delete=fields.SET_NULL
    )
    account_id: int | None
    courier = fields.CharField(max_length=24)
    reference = fields.CharField(max_length=64, unique=True)
    state = fields.CharField(max_length=12, default="requested")  # requested|created|failed
    tracking = fields.CharField(max_length=64, null=True)
    stopdesk_id = fields.CharField(max_length=64, default="")
    # The desk's name as the courier's synced list gave it (empty when not known).
    stopdesk_name = fields.CharField(max_length=160, default="")
    cod_amount = fields.BigIntField(default=0)
    fee = fields.BigIntField(null=True)
    label = fields.BinaryField(null=True)
    label_type = fields.CharField(max_length=40, default="")
    status = fields.CharField(max_length=24, default="created")
    raw_status = fields.CharField(max_length=120, default="")
    raw_reason = fields.CharField(max_length=300, default="")
    status_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, default="")
    # Polling: due time and the worker holding this parcel for the current cycle.
    next_poll_at = fields.DatetimeField(null=True)
    poll_locked_until = fields.DatetimeField(null=True)
    poll_locked_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "shipment"
        # Due parcels (the sync's claim), a parcel named by a courier's webhook.
        indexes = (
            ("courier", "tracking"),
            ("next_poll_at",),
            ("state", "next_poll_at"),
            ("account", "tracking"),
        )


class DeliveryFee(Model):
    """Fee per wilaya (69-map code) and delivery type; NULL means not offered there."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="fees", on_delete=fields.CASCADE
    )
    wilaya_code = fields.SmallIntField()
    home_fee = fields.BigIntField(null=True)
    desk_fee = fields.BigIntField(null=True)

    class Meta:
        table = "delivery_fee"
        unique_together = (("store", "wilaya_code"),)
