"""Hanout's domain: tables, the order lifecycle, stock, the timeline, the outbox, use cases."""
