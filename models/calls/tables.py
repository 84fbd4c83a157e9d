"""The calls made to confirm an order, one row each."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.orders.tables import Order


class CallAttempt(Model):
    """One phone call to the customer of a pending order (SPEC §3.3)."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="calls", on_delete=fields.CASCADE
    )
    order_id: int
    at = fields.DatetimeField(auto_now_add=True)
    actor_kind = fields.CharField(max_length=16)
    actor_id = fields.CharField(max_length=64, default="")
    actor_name = fields.CharField(max_length=128, default="")
    outcome = fields.CharField(max_length=24)
    note = fields.CharField(max_length=500, default="")
    callback_at = fields.DatetimeField(null=True)

    class Meta:
        table = "call_attempt"
        # An order's calls; the calls of a period (/stats).
        indexes = (("order", "id"), ("at",))
