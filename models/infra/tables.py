"""Settings the server makes for itself, one row each, shared by all its processes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ServerSecret(Model):
    """A secret generated once when none is configured (the Telegram webhook's), sealed with
    SECRET_KEY: every web process reads the same one, and a copy of the database reveals
    nothing."""

    name = fields.CharField(max_length=64, primary_key=True)
    sealed = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "server_secret"
