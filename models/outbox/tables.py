"""The transactional outbox (written with the change, drained after commit by the relay) and
each store's SMS gateway."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.stores.tables import Store


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    store_id = fields.IntField(null=True)
    channel = fields.CharField(max_length=16)
    topic = fields.CharField(max_length=48)
    # A channel delivers each event at most once: (channel, event key) is unique.
    dedupe_key = fields.CharField(max_length=128, unique=True)
    payload: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    status = fields.CharField(max_length=12, default="pending")
    attempts = fields.IntField(default=0)
    available_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    locked_by = fields.CharField(max_length=64, default="")
    last_error = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "available_at"),)


class SmsGateway(Model):
    """A store's SMS Gateway for Android endpoint (local, cloud or private server)."""

    id = fields.IntField(primary_key=True)
    store: fields.OneToOneRelation[Store] = fields.OneToOneField(
        "models.Store", related_name="sms_gateway", on_delete=fields.CASCADE
    )
    store_id: int
    base_url = fields.CharField(max_length=255)
    username = fields.CharField(max_length=120)
    password_sealed = fields.TextField()
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sms_gateway"
