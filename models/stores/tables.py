"""Stores and their API keys."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Store(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=48, unique=True)
    name = fields.CharField(max_length=120)
    lang = fields.CharField(max_length=2, default="ar")
    owner_email = fields.CharField(max_length=254, default="")
    custom_domain = fields.CharField(max_length=253, null=True, unique=True)
    # Empty list means every wilaya; otherwise 69-map codes the store delivers to.
    allowed_wilayas: fields.Field[list[int]] = fields.JSONField(default=list)
    last_order_number = fields.IntField(default=1000)
    duplicate_window_minutes = fields.IntField(default=30)
    # Call policy: cancel a pending order after this many no-answers (0 = never).
    no_answer_limit = fields.IntField(default=0)
    # ...and only once the first no-answer is this many hours old (models.calls.policy).
    no_answer_min_hours = fields.IntField(default=24)
    # When to call back after a no-answer: `1h,3h,10:00` (+1 h, +3 h, then 10:00 next day).
    callback_plan = fields.CharField(max_length=64, default="1h,3h,10:00")
    claim_minutes = fields.IntField(default=20)
    # Roster mode: only listed members may press, not every member of the team group.
    roster_mode = fields.BooleanField(default=False)
    silent_notifications = fields.BooleanField(default=False)
    # What agents may do besides calling: read the money figures of /stats, move stock.
    agents_see_money = fields.BooleanField(default=False)
    agents_change_stock = fields.BooleanField(default=False)
    # How the desk prints parcel labels: `a4` (4 to a sheet) or `thermal` (10×15 cm, one each).
    label_format = fields.CharField(max_length=8, default="a4")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "store"


class ApiKey(Model):
    """Only a SHA-256 of the secret is stored; the prefix finds the row. A store has several
    (one per tool, named by `label`); revoking one sets `revoked_at` and leaves the others."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="api_keys", on_delete=fields.CASCADE
    )
    prefix = fields.CharField(max_length=16, unique=True)
    secret_hash = fields.CharField(max_length=64)
    label = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # Written at most once a minute per key (LAST_USED_EVERY), never once per request.
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"
