"""The team's order desk commands (SPEC §5): /orders, /order, /find, /stats, /help and the
buttons of their lists, registered in one place."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import desk_app, lists, search, stats
from bot import help as help_command


def register(app: Application) -> None:
    app.add_handler(CommandHandler("orders", lists.on_orders))
    app.add_handler(CommandHandler("order", search.on_order))
    app.add_handler(CommandHandler("find", search.on_find))
    app.add_handler(CommandHandler("stats", stats.on_stats))
    app.add_handler(CommandHandler("help", help_command.on_help))
    app.add_handler(CommandHandler("desk", desk_app.on_desk))
    app.add_handler(CallbackQueryHandler(lists.on_list_page, pattern=r"^l:"))
    app.add_handler(CallbackQueryHandler(lists.on_open, pattern=r"^op:"))
    app.add_handler(CallbackQueryHandler(lists.on_digest, pattern=r"^d[gl]:"))
    app.add_handler(CallbackQueryHandler(stats.on_period_press, pattern=r"^fg:"))
