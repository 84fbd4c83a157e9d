"""Parcels and couriers: courier accounts, dispatch through a courier or by hand, the parcel's
life, polling, delivery fees, wilayas and communes."""
