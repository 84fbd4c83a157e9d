"""Customers: one row per store and phone, with the blacklist mark."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.stores.tables import Store


class Customer(Model):
    """One row per store and normalised (E.164) phone."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="customers", on_delete=fields.CASCADE
    )
    phone = fields.CharField(max_length=16)
    name = fields.CharField(max_length=120)
    blacklisted = fields.BooleanField(default=False)
    blacklist_reason = fields.CharField(max_length=200, default="")
    blacklisted_at = fields.DatetimeField(null=True)
    # Who blacklisted the phone ("Amina (agent)", "API", "fake order #1042").
    blacklisted_by = fields.CharField(max_length=128, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer"
        unique_together = (("store", "phone"),)
