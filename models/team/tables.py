"""Telegram side of a store: its members and invites, bound chats, the card shown in each."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.orders.tables import Order
from models.stores.tables import Store


class TelegramChat(Model):
    """A chat that receives the store's order cards: a member's private chat or the team group."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="chats", on_delete=fields.CASCADE
    )
    store_id: int
    chat_id = fields.BigIntField()
    kind = fields.CharField(max_length=16)  # private | group | supergroup
    title = fields.CharField(max_length=128, default="")
    user_id = fields.BigIntField(null=True)  # the member, for a private chat
    active = fields.BooleanField(default=True)
    disabled_reason = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "telegram_chat"
        unique_together = (("store", "chat_id"),)


class CardMessage(Model):
    """The message showing one order in one chat, and whether it lags the order.

    `wanted_version` is the order version the card should show; the card is `dirty` until a
    send or edit renders it. A card listed in a digest instead of being sent has `digest`.
    """

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="cards", on_delete=fields.CASCADE
    )
    order_id: int
    chat: fields.ForeignKeyRelation[TelegramChat] = fields.ForeignKeyField(
        "models.TelegramChat", related_name="cards", on_delete=fields.CASCADE
    )
    chat_id: int
    message_id = fields.BigIntField(null=True)
    wanted_version = fields.IntField(default=0)
    rendered_version = fields.IntField(default=0)
    text_hash = fields.CharField(max_length=64, default="")
    dirty = fields.BooleanField(default=True)
    resend = fields.BooleanField(default=False)  # bump: send a fresh card at the bottom
    digest = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "card_message"
        unique_together = (("order", "chat"),)
        indexes = (("chat", "dirty"),)


class TelegramUpdate(Model):
    """An update id received on the webhook: with several web processes behind one address,
    Telegram's resend of an update lands on any of them and is applied only once."""

    update_id = fields.BigIntField(primary_key=True, generated=False)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "telegram_update"
        indexes = (("received_at",),)


class TelegramBot(Model):
    """The bot's username as getMe told it, keyed by the bot id that starts its token: the
    CLI prints t.me links without TELEGRAM_BOT_USERNAME, and a new token asks again."""

    bot_id = fields.BigIntField(primary_key=True, generated=False)
    username = fields.CharField(max_length=64)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "telegram_bot"


class Member(Model):
    """A Telegram user who belongs to a store as owner or agent."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="members", on_delete=fields.CASCADE
    )
    telegram_user_id = fields.BigIntField()
    name = fields.CharField(max_length=128, default="")
    role = fields.CharField(max_length=8)
    active = fields.BooleanField(default=True)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "member"
        unique_together = (("store", "telegram_user_id"),)


class Invite(Model):
    """Only a SHA-256 of the token is stored, like API keys: a copy of the database opens
    no store. The token itself is shown once, in the link given to the person."""

    id = fields.IntField(primary_key=True)
    store: fields.ForeignKeyRelation[Store] = fields.ForeignKeyField(
        "models.Store", related_name="invites", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    role = fields.CharField(max_length=8)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invite"
