"""The transactional outbox and what it carries beyond Telegram: outgoing webhooks and each store's
SMS gateway."""
