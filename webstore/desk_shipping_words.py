"""The words of the desk's Shipping screen, of the refusals it lists per order, and of the
labels and pick list it prints (sent with `/me` beside webstore.desk_strings)."""

from __future__ import annotations

from webstore.messages import N_

SCREEN = {
    "shipping": N_("Shipping"),
    "ship_courier": N_("Courier account"),
    "ship_default": N_("default"),
    "ship_select_all": N_("Select all"),
    "ship_selected": N_("selected"),
    "ship_dispatch": N_("Dispatch"),
    "ship_dispatching": N_("Dispatching…"),
    "ship_none": N_("No confirmed order waits for a courier."),
    "ship_no_accounts": N_("Add a courier account with /couriers in the bot first."),
    "ship_desk": N_("Stop desk"),
    "ship_choose_desk": N_("Choose the stop desk"),
    "ship_requested": N_("Sent to the courier"),
    "ship_already": N_("Already dispatched"),
    "ship_created": N_("Parcel created"),
    "ship_failed": N_("Not dispatched"),
    "ship_waiting": N_("Waiting for the courier…"),
    "ship_labels": N_("Print the labels"),
    "ship_pick_list": N_("Pick list"),
    "ship_label_format": N_("Labels print on"),
    "ship_format_a4": N_("A4 sheets, 4 labels each"),
    "ship_format_thermal": N_("Thermal 10×15 cm, one per label"),
    "ship_ready": N_("labels ready"),
    "ship_done": N_("Dispatched: {sent} of {total}"),
    "ship_again": N_("Ship more orders"),
}

REASONS = {
    "not_ready": N_("Not ready to ship: the order is no longer confirmed."),
    "desk_needed": N_("Choose the stop desk for this order."),
    "desk_unknown": N_("This stop desk is not one of the courier's in the customer's wilaya."),
    "no_api": N_("This courier has no API: type the tracking number on the order's card."),
    "conflict": N_("Someone changed this order meanwhile; try again."),
    "not_found": N_("No such order in this store."),
    "refused": N_("The courier refused it: %(reason)s"),
    "other": N_("Not accepted: %(reason)s"),
}

PAPER = {
    "title": N_("Parcel labels"),
    "order": N_("Order"),
    "recipient": N_("Recipient"),
    "items": N_("Items"),
    "cod": N_("Cash to collect"),
    "home": N_("Home delivery"),
    "desk": N_("Stop desk"),
    "pick_title": N_("Pick list"),
    "pick_orders": N_("%(count)s orders"),
    "product": N_("Product"),
    "variant": N_("Variant"),
    "sku": N_("SKU"),
    "units": N_("Units"),
    "orders": N_("Orders"),
    "total_units": N_("Total units"),
}
