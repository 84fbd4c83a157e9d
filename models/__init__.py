"""Hanout's domain, one package per concept, each with its tables beside its use cases: orders,
catalog (and stock), customers, calls, shipping, outbox, team, stores, exports; infra beneath
them all; session opens it all in a process. No web, Telegram or HTTP library here."""
