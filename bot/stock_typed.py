"""`/stock 3 +20`, `/stock 3 -2`, `/stock 3 =15`: the stock of line 3 of the /stock list
moved or counted by typing, for a delivery of 20 pieces that buttons of ±5 would take four
presses to record. Only the owner, unless the owner lets agents change the stock."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from telegram import Message

from bot.gate import Teammate
from bot.i18n import N_
from models.catalog import products
from models.catalog.stock import adjust_stock, set_stock
from models.catalog.tables import Product, Variant
from models.errors import InvalidInput, NotFound
from models.orders.timeline import Actor
from models.stores import settings
from models.stores.tables import Store

log = logging.getLogger(__name__)

# "3 +20", "3 -2", "3 −2" (the minus sign a phone may type), "3 =15", "3 20" (= +20).
TYPED = re.compile(r"^\s*(\d{1,6})\s+([+\-−=]?)\s*(\d{1,7})\s*$")
USAGE = N_(
    "Send /stock 3 +20 to add 20 units to line 3 of the list, /stock 3 -2 to remove 2, "
    "/stock 3 =15 to set it to 15."
)
NOT_ALLOWED = N_("Only the owner changes the stock; the owner can allow agents in /settings.")


def may_change_stock(store: Store, actor: Actor) -> bool:
    return settings.may_change_stock(store, actor.kind)


def parse_typed(text: str) -> tuple[int, str, int] | None:
    """(line, sign, count) of `3 +20`; None when it does not read so."""
    found = TYPED.match(text)
    if found is None:
        return None
    sign = {"−": "-", "": "+"}.get(found.group(2), found.group(2))
    return int(found.group(1)), sign, int(found.group(3))


async def typed_stock(
    message: Message, mate: Teammate, args: list[str], name_of: Callable[[Product, Variant], str]
) -> None:
    """Apply a typed stock change and say the new count (or why not)."""
    _ = mate._
    typed = parse_typed(" ".join(args))
    if typed is None:
        await message.reply_text(_(USAGE))
        return
    if not may_change_stock(mate.store, mate.actor):
        await message.reply_text(_(NOT_ALLOWED))
        return
    line, sign, count = typed
    variant = await products.variant_at(mate.store, line)
    if variant is None:
        await message.reply_text(_("Line %(n)s is not in the list: send /stock to see it.", n=line))
        return
    name = name_of(variant.product, variant)
    try:
        if sign == "=":
            stock = await set_stock(mate.store, variant.id, count)
        else:
            stock = await adjust_stock(mate.store, variant.id, count if sign == "+" else -count)
    except (InvalidInput, NotFound):
        now = (await products.variant_at(mate.store, line)) or variant
        await message.reply_text(
            _("Not possible: %(item)s has %(stock)s in stock.", item=name, stock=now.stock)
        )
        return
    log.info(
        "stock typed store=%s variant=%s change=%s%s stock=%s by=%s:%s",
        mate.store.slug,
        variant.id,
        sign,
        count,
        stock,
        mate.actor.kind,
        mate.actor.id,
    )
    await message.reply_text(_("%(item)s: %(stock)s in stock", item=name, stock=stock))
