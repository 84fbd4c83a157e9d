"""The Telegram adapter: order cards in every bound chat, buttons, commands (SPEC §5)."""
