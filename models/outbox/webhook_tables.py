"""Outgoing webhooks (SPEC §7): a store's endpoints and the log of every delivery attempt."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.stores.tables import Store


class WebhookEndpoint(Model):
    """A URL a store's other tools listen on, subscribed to some `order.*` events."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    store_id: int
    url = fields.CharField(max_length=500)
    description = fields.CharField(max_length=120, default="")
    # Event names (`order.created`, …) this endpoint receives.
    events: fields.Field[list[str]] = fields.JSONField(default=list)
    # The customer's name, phone and address go out only when the endpoint asks for them.
    include_personal_data = fields.BooleanField(default=False)
    # The signing secret, sealed with the key derived from SECRET_KEY (shown once, in clear).
    secret_sealed = fields.TextField()
    active = fields.BooleanField(default=True)
    disabled_reason = fields.CharField(max_length=200, default="")
    disabled_at = fields.DatetimeField(null=True)
    # Dead letters in a row; a delivered message resets it, five disable the endpoint.
    dead_in_a_row = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    # A deleted endpoint keeps its delivery log until the store goes.
    deleted_at = fields.DatetimeField(null=True)

    attempts: fields.ReverseRelation[WebhookAttempt]

    class Meta:
        table = "webhook_endpoint"
        indexes = (("store", "active"),)


class WebhookAttempt(Model):
    """One HTTP attempt at delivering one event to one endpoint (the delivery log)."""

    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="attempts", on_delete=fields.CASCADE
    )
    endpoint_id: int
    # The outbox row that carried it; the envelope id the receiver dedupes on.
    outbox_id = fields.BigIntField(null=True)
    delivery_id = fields.CharField(max_length=40)
    event = fields.CharField(max_length=32)
    order_number = fields.IntField(null=True)
    attempt = fields.IntField(default=1)
    # delivered | retrying | dead
    outcome = fields.CharField(max_length=12)
    status_code = fields.IntField(null=True)
    error = fields.CharField(max_length=300, default="")
    duration_ms = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_attempt"
        indexes = (("endpoint", "id"),)
