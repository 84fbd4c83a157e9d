"""The bot's command menu (setMyCommands, published by bot.handlers) in the order people
need them; /help lists the same commands (bot.help)."""

from __future__ import annotations

from bot.i18n import N_

# The command menu (setMyCommands), in the order people need them.
COMMANDS: list[tuple[str, str]] = [
    ("orders", N_("Orders to handle: calls due first, oldest first")),
    ("order", N_("Show one order: /order 1042")),
    ("find", N_("Find orders by phone, name or number")),
    ("stats", N_("Figures: /stats today, week or month")),
    ("products", N_("Products and prices")),
    ("stock", N_("Stock per variant, with buttons to adjust")),
    ("addproduct", N_("Add a product with its photo")),
    ("couriers", N_("Courier accounts: test, choose the default (owner)")),
    ("blacklist", N_("Blacklisted phones: list, add, remove")),
    ("export", N_("Orders as a spreadsheet: /export week")),
    ("settings", N_("Store settings")),
    ("team", N_("Team members and chats (owner)")),
    ("help", N_("What I can do")),
]
