"""Customers, one per phone: their history, the risk mark it earns, the blacklist; Algerian phone
numbers."""
