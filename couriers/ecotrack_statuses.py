"""EcoTrack's raw statuses (reference/couriers.md §3.5) and their canonical parcel status.

Three vocabularies reach us: order status slugs (`get/orders`, `get/orders/status`), activity
event keys (`get/tracking/info`) and French display labels (`get/trackings/info`, worded
per tenant). All are folded (accents, case, underscores) before lookup.

Decisions where the canonical set has no exact word:
- The return leg (return asked, parcel travelling back) is DELIVERY_ATTEMPTED: delivery has
  failed, the parcel is not back yet and a return can still be turned into a new attempt,
  so it must not be RETURNED (final: the order would close and stock come back early). The
  team is asked to call the customer, which is what saves a sale at that point.
- RETURNED only once the parcel is back with the merchant (or in the merchant's stock held
  by the courier): retour_recu, Return_received, retour_archive, retours reçus/en stock.
- `en_preparation` comes after `vers_wilaya` in the official order: preparation at the
  destination hub, so AT_HUB, not a parcel still at the merchant.
- Money steps after delivery (encaissé, payé, paiements prêts…) stay DELIVERED.
- `notification_on_order` is a note added to the parcel, not a movement: it never changes
  the parcel's state (NOT_MOVEMENT).
"""

from __future__ import annotations

from couriers.base import ParcelStatus, fold, status_table

P = ParcelStatus
RETURNING = P.DELIVERY_ATTEMPTED

ORDER_STATUSES: dict[str, ParcelStatus] = {
    "prete_a_expedier": P.PENDING_PICKUP,
    "en_ramassage": P.PENDING_PICKUP,  # a driver is on the way to collect it
    "en_preparation_stock": P.CREATED,
    "vers_hub": P.IN_TRANSIT,
    "en_hub": P.AT_HUB,
    "vers_wilaya": P.IN_TRANSIT,
    "en_preparation": P.AT_HUB,
    "en_livraison": P.OUT_FOR_DELIVERY,
    "suspendu": P.ON_HOLD,
    "livre_non_encaisse": P.DELIVERED,
    "encaisse_non_paye": P.DELIVERED,
    "paiements_prets": P.DELIVERED,
    "paye_et_archive": P.DELIVERED,
    "retour_chez_livreur": RETURNING,
    "retour_transit_entrepot": RETURNING,
    "retour_en_traitement": RETURNING,
    "retour_recu": P.RETURNED,
    "retour_archive": P.RETURNED,
    "annule": P.CANCELLED,
}

ACTIVITY_EVENTS: dict[str, ParcelStatus] = {
    "order_information_received_by_carrier": P.CREATED,
    "picked": P.PICKED_UP,
    "accepted_by_carrier": P.AT_HUB,  # scanned in at the sorting centre
    "dispatched_to_driver": P.OUT_FOR_DELIVERY,
    "attempt_delivery": P.DELIVERY_ATTEMPTED,
    "return_asked": RETURNING,
    "return_in_transit": RETURNING,
    "Return_received": P.RETURNED,
    "livred": P.DELIVERED,
    "encaissed": P.DELIVERED,
    "payed": P.DELIVERED,
}

DISPLAY_LABELS: dict[str, ParcelStatus] = {
    "prêt à expédier": P.PENDING_PICKUP,
    "prêt à préparer": P.CREATED,
    "stock en préparation": P.CREATED,
    "suspendus": P.ON_HOLD,
    "retours chez livreur": RETURNING,
    "retours en traitement": RETURNING,
    "retours prêts": RETURNING,
    "retours reçus": P.RETURNED,
    "retours à dispatcher vers stock": RETURNING,
    "retours en transit stock": RETURNING,
    "retours en stock": P.RETURNED,
    "retours archivés": P.RETURNED,
    "livré encaissé non payé": P.DELIVERED,
    "paiement prêt": P.DELIVERED,
    "paiement archivé": P.DELIVERED,
}

NOT_MOVEMENT = frozenset({fold("notification_on_order")})

TABLE = status_table(ORDER_STATUSES | ACTIVITY_EVENTS | DISPLAY_LABELS)


def is_movement(raw: object) -> bool:
    """False for events that say nothing about where the parcel is (notes)."""
    return fold(raw) not in NOT_MOVEMENT
