"""NOEST's tracking events (reference/couriers.md §4.4) and their canonical parcel status.

NOEST has no status field: a parcel's state is its latest *movement* event. Finance events
(payouts, price edits, extra fees) and edits of the parcel's data travel in the same feed
and must never overwrite the state (NOT_MOVEMENT).

Decisions where the canonical set has no exact word:
- The return leg (return asked, return dispatched to the partner or warehouse) is
  DELIVERY_ATTEMPTED, not RETURNED: NOEST can still cancel a return back into delivery
  (`annulation_dispatch_retour`, `return_redispatched_to_livraison`), and RETURNED is final
  for the order (it closes and its stock comes back).
- RETURNED when the partner (the merchant) validated the return's reception
  (`return_validated_by_partener`) or received the failed parcel back
  (`livraison_echoue_recu`, labelled "Retour reçu par le partenaire" in a WooCommerce
  plugin's French list): cd0uze/courier-dz (src/adapters/NoestAdapter.js) and several
  merchant apps map it to returned, and no event after it sends the parcel out again.
- A cancelled return (`annulation_dispatch_retour`, `cancel_return_dispatched_to_partenaire`)
  puts the parcel back in transit; `return_redispatched_to_livraison` and a new attempt
  asked by the customer send it out for delivery again, as the reference's table reads.
- Exchanges (`echange_valide`, `echange_valid_by_hub`) are DELIVERED; pickup orders (type 3)
  end with `pickup_picked_recu`, DELIVERED to the partner.
- `ask_to_delete_by_admin/hub` are CANCELLED.
"""

from __future__ import annotations

from couriers.base import ParcelStatus, fold, status_table

P = ParcelStatus
RETURNING = P.DELIVERY_ATTEMPTED

EVENTS: dict[str, ParcelStatus] = {
    "upload": P.CREATED,  # a draft until valid/order
    "customer_validation": P.PENDING_PICKUP,
    "validation_collect_colis": P.PICKED_UP,
    "validation_reception_admin": P.AT_HUB,
    "validation_reception": P.PICKED_UP,  # "Enlevé par le livreur"
    "sent_to_redispatch": P.IN_TRANSIT,
    "fdr_activated": P.OUT_FOR_DELIVERY,
    "nouvel_tentative_asked_by_customer": P.OUT_FOR_DELIVERY,
    "return_redispatched_to_livraison": P.OUT_FOR_DELIVERY,
    "mise_a_jour": P.DELIVERY_ATTEMPTED,  # "Tentative de livraison"
    "colis_suspendu": P.ON_HOLD,
    "livre": P.DELIVERED,
    "livred": P.DELIVERED,
    "echange_valide": P.DELIVERED,
    "echange_valid_by_hub": P.DELIVERED,
    "return_asked_by_customer": RETURNING,
    "return_asked_by_hub": RETURNING,
    "retour_dispatched_to_partenaires": RETURNING,
    "return_dispatched_to_partenaire": RETURNING,
    "colis_retour_transmit_to_partner": RETURNING,
    "return_dispatched_to_warehouse": RETURNING,
    "livraison_echoue_recu": P.RETURNED,
    "return_validated_by_partener": P.RETURNED,
    "annulation_dispatch_retour": P.IN_TRANSIT,
    "cancel_return_dispatched_to_partenaire": P.IN_TRANSIT,
    "pickedup": P.PICKED_UP,
    "valid_return_pickup": P.PICKED_UP,
    "colis_pickup_transmit_to_partner": P.IN_TRANSIT,
    "pickup_picked_recu": P.DELIVERED,
    "ask_to_delete_by_admin": P.CANCELLED,
    "ask_to_delete_by_hub": P.CANCELLED,
}

FINANCE_EVENTS = (
    "verssement_admin_cust",
    "verssement_admin_cust_canceled",
    "verssement_hub_cust_canceled",
    "validation_reception_cash_by_partener",
    "edit_price",
    "extra_fee",
)
EDIT_EVENTS = ("edited_informations", "edit_wilaya")

NOT_MOVEMENT = frozenset(fold(key) for key in FINANCE_EVENTS + EDIT_EVENTS)

TABLE = status_table(EVENTS)


def is_movement(event_key: object) -> bool:
    """False for money and data-edit events, which say nothing about where the parcel is."""
    return fold(event_key) not in NOT_MOVEMENT
