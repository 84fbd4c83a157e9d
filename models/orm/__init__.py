"""Tortoise tables. Aerich's migrations are generated from exactly this list."""

from models.orm.catalog import Product, Variant
from models.orm.order import Customer, IdempotencyKey, Order, OrderEvent, OrderLine
from models.orm.outbox import OutboxMessage
from models.orm.server import ServerSecret
from models.orm.shipping import CourierAccount, Shipment, SmsGateway
from models.orm.store import ApiKey, DeliveryFee, Invite, Member, Store
from models.orm.team import CallAttempt, CardMessage, TelegramBot, TelegramChat, TelegramUpdate
from models.orm.webhooks import WebhookAttempt, WebhookEndpoint

__models__ = [
    Store,
    Member,
    Invite,
    ApiKey,
    DeliveryFee,
    Product,
    Variant,
    Customer,
    Order,
    OrderLine,
    OrderEvent,
    IdempotencyKey,
    OutboxMessage,
    TelegramChat,
    CardMessage,
    CallAttempt,
    TelegramUpdate,
    TelegramBot,
    CourierAccount,
    Shipment,
    SmsGateway,
    WebhookEndpoint,
    WebhookAttempt,
    ServerSecret,
]

__all__ = [m.__name__ for m in __models__]
