"""Courier adapters: one module per courier speaking its API with httpx, returning neutral
dataclasses (couriers.base). Leaves: they import nothing else of Hanout."""
