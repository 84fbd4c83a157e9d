"""The words of the export files in ar, fr and en: sheet names, column headers, and the
values a person reads (statuses, call outcomes, delivery types, parcel statuses).

Order statuses and call outcomes are the bot's own words (bot/i18n.py STATUS and OUTCOME in
the bot's catalogues): a test keeps the two in step, so a file never names a status
differently from the card the team saw.
"""

from __future__ import annotations

from i18n.money import CURRENCY

DEFAULT_LANG = "ar"  # the Store default

STATUS: dict[str, dict[str, str]] = {
    "ar": {
        "pending": "في الانتظار",
        "confirmed": "مؤكدة",
        "processing": "قيد التجهيز",
        "shipped": "تم الشحن",
        "delivered": "تم التوصيل",
        "cancelled": "ملغاة",
        "returned": "مرتجع",
    },
    "fr": {
        "pending": "En attente",
        "confirmed": "Confirmée",
        "processing": "En préparation",
        "shipped": "Expédiée",
        "delivered": "Livrée",
        "cancelled": "Annulée",
        "returned": "Retournée",
    },
    "en": {
        "pending": "Pending",
        "confirmed": "Confirmed",
        "processing": "Processing",
        "shipped": "Shipped",
        "delivered": "Delivered",
        "cancelled": "Cancelled",
        "returned": "Returned",
    },
}

OUTCOME: dict[str, dict[str, str]] = {
    "ar": {
        "no_answer": "لا يرد",
        "busy": "مشغول",
        "unreachable": "خارج التغطية",
        "wrong_number": "رقم خاطئ",
        "postponed": "مؤجلة",
        "customer_cancelled": "ألغاها الزبون",
        "fake": "طلبية وهمية",
        "duplicate": "مكررة",
        "confirmed": "مؤكدة عبر الهاتف",
    },
    "fr": {
        "no_answer": "Pas de réponse",
        "busy": "Occupé",
        "unreachable": "Injoignable",
        "wrong_number": "Faux numéro",
        "postponed": "Reportée",
        "customer_cancelled": "Annulée par le client",
        "fake": "Fausse commande",
        "duplicate": "Doublon",
        "confirmed": "Confirmée par téléphone",
    },
    "en": {
        "no_answer": "No answer",
        "busy": "Busy",
        "unreachable": "Unreachable",
        "wrong_number": "Wrong number",
        "postponed": "Postponed",
        "customer_cancelled": "Customer cancelled",
        "fake": "Fake order",
        "duplicate": "Duplicate",
        "confirmed": "Confirmed by phone",
    },
}
# Why an order was cancelled (models.orders.cancellation.REASONS), in the bot's words.
CANCEL_REASON: dict[str, dict[str, str]] = {
    "ar": {
        "customer_refused": "رفض الزبون",
        "unreachable": "خارج التغطية",
        "fake": "طلبية وهمية",
        "duplicate": "مكررة",
        "out_of_stock": "نفاد المخزون",
        "price": "السعر",
        "delay": "مدة التوصيل",
        "other": "سبب آخر",
    },
    "fr": {
        "customer_refused": "Refus du client",
        "unreachable": "Injoignable",
        "fake": "Fausse commande",
        "duplicate": "Doublon",
        "out_of_stock": "Rupture de stock",
        "price": "Prix",
        "delay": "Délai",
        "other": "Autre",
    },
    "en": {
        "customer_refused": "Customer refused",
        "unreachable": "Unreachable",
        "fake": "Fake order",
        "duplicate": "Duplicate",
        "out_of_stock": "Out of stock",
        "price": "Price",
        "delay": "Delivery time",
        "other": "Other",
    },
}

DELIVERY: dict[str, dict[str, str]] = {
    "ar": {"home": "التوصيل إلى المنزل", "desk": "مكتب التوصيل (ستوب ديسك)"},
    "fr": {"home": "Livraison à domicile", "desk": "Stop desk"},
    "en": {"home": "Home delivery", "desk": "Stop desk"},
}

# The canonical parcel statuses couriers are mapped to (couriers.base.ParcelStatus).
PARCEL: dict[str, dict[str, str]] = {
    "ar": {
        "created": "تم إنشاء الطرد",
        "pending_pickup": "في انتظار الاستلام",
        "picked_up": "تم الاستلام",
        "in_transit": "في الطريق",
        "at_hub": "في مركز الفرز",
        "out_for_delivery": "خرج للتوصيل",
        "delivery_attempted": "فشلت محاولة التوصيل",
        "on_hold": "معلّق",
        "delivered": "تم التوصيل",
        "returned": "مرتجع",
        "cancelled": "ملغى",
        "lost": "مفقود",
        "unknown": "غير معروف",
    },
    "fr": {
        "created": "Colis créé",
        "pending_pickup": "En attente de ramassage",
        "picked_up": "Ramassé",
        "in_transit": "En transit",
        "at_hub": "Au centre de tri",
        "out_for_delivery": "En cours de livraison",
        "delivery_attempted": "Échec de livraison",
        "on_hold": "En suspens",
        "delivered": "Livré",
        "returned": "Retourné",
        "cancelled": "Annulé",
        "lost": "Perdu",
        "unknown": "Inconnu",
    },
    "en": {
        "created": "Parcel created",
        "pending_pickup": "Awaiting pickup",
        "picked_up": "Picked up",
        "in_transit": "In transit",
        "at_hub": "At the sorting hub",
        "out_for_delivery": "Out for delivery",
        "delivery_attempted": "Delivery failed",
        "on_hold": "On hold",
        "delivered": "Delivered",
        "returned": "Returned",
        "cancelled": "Cancelled",
        "lost": "Lost",
        "unknown": "Unknown",
    },
}

# Headers of amounts end with the currency: `{currency}` is filled per language.
WORDS: dict[str, dict[str, str]] = {
    "ar": {
        "sheet_orders": "الطلبيات",
        "sheet_lines": "المنتجات",
        "sheet_summary": "الملخص",
        "number": "رقم الطلبية",
        "created_at": "تاريخ الطلبية",
        "status": "الحالة",
        "customer": "الزبون",
        "phone": "الهاتف",
        "wilaya": "الولاية",
        "commune": "البلدية",
        "address": "العنوان",
        "delivery": "التوصيل",
        "items": "المنتجات",
        "quantity": "الكمية",
        "subtotal": "مجموع المنتجات ({currency})",
        "delivery_fee": "سعر التوصيل ({currency})",
        "total": "المجموع ({currency})",
        "calls": "عدد المكالمات",
        "last_call": "آخر مكالمة",
        "confirmed_by": "أكّدها",
        "confirmed_at": "تاريخ التأكيد",
        "courier": "شركة التوصيل",
        "tracking": "رقم التتبع",
        "stopdesk": "مكتب التوصيل المختار",
        "manual_courier": "توصيل يدوي",
        "parcel_status": "حالة الطرد",
        "parcel_status_at": "تاريخ حالة الطرد",
        "courier_says": "ما تقوله شركة التوصيل",
        "courier_fee": "سعر شركة التوصيل ({currency})",
        "cancel_reason": "سبب الإلغاء",
        "cancelled_by": "ألغاها",
        "cancelled_at": "تاريخ الإلغاء",
        "note": "ملاحظة الزبون",
        "updated_at": "آخر تحديث",
        "sku": "رمز المنتج (SKU)",
        "product": "المنتج",
        "variant": "الخيار",
        "unit_price": "سعر الوحدة ({currency})",
        "line_total": "مجموع السطر ({currency})",
        "store": "المتجر",
        "period": "الفترة",
        "only_status": "الطلبيات المصدّرة",
        "all_statuses": "كل الحالات",
        "exported_at": "تاريخ التصدير",
        "orders": "عدد الطلبيات",
        "delivery_fees": "أسعار التوصيل ({currency})",
        "by_status": "حسب الحالة",
    },
    "fr": {
        "sheet_orders": "Commandes",
        "sheet_lines": "Articles",
        "sheet_summary": "Résumé",
        "number": "Commande",
        "created_at": "Date de commande",
        "status": "Statut",
        "customer": "Client",
        "phone": "Téléphone",
        "wilaya": "Wilaya",
        "commune": "Commune",
        "address": "Adresse",
        "delivery": "Livraison",
        "items": "Articles",
        "quantity": "Quantité",
        "subtotal": "Sous-total ({currency})",
        "delivery_fee": "Frais de livraison ({currency})",
        "total": "Total ({currency})",
        "calls": "Appels",
        "last_call": "Dernier appel",
        "confirmed_by": "Confirmée par",
        "confirmed_at": "Confirmée le",
        "courier": "Livreur",
        "tracking": "N° de suivi",
        "stopdesk": "Stop desk choisi",
        "manual_courier": "Livraison manuelle",
        "parcel_status": "Statut du colis",
        "parcel_status_at": "Statut du colis le",
        "courier_says": "Message du livreur",
        "courier_fee": "Frais du livreur ({currency})",
        "cancel_reason": "Motif d'annulation",
        "cancelled_by": "Annulée par",
        "cancelled_at": "Annulée le",
        "note": "Note du client",
        "updated_at": "Dernière mise à jour",
        "sku": "Référence (SKU)",
        "product": "Produit",
        "variant": "Variante",
        "unit_price": "Prix unitaire ({currency})",
        "line_total": "Total de la ligne ({currency})",
        "store": "Boutique",
        "period": "Période",
        "only_status": "Commandes exportées",
        "all_statuses": "Tous les statuts",
        "exported_at": "Exporté le",
        "orders": "Commandes",
        "delivery_fees": "Frais de livraison ({currency})",
        "by_status": "Par statut",
    },
    "en": {
        "sheet_orders": "Orders",
        "sheet_lines": "Lines",
        "sheet_summary": "Summary",
        "number": "Order",
        "created_at": "Order date",
        "status": "Status",
        "customer": "Customer",
        "phone": "Phone",
        "wilaya": "Wilaya",
        "commune": "Commune",
        "address": "Address",
        "delivery": "Delivery",
        "items": "Items",
        "quantity": "Quantity",
        "subtotal": "Subtotal ({currency})",
        "delivery_fee": "Delivery fee ({currency})",
        "total": "Total ({currency})",
        "calls": "Calls",
        "last_call": "Last call",
        "confirmed_by": "Confirmed by",
        "confirmed_at": "Confirmed at",
        "courier": "Courier",
        "tracking": "Tracking number",
        "stopdesk": "Stop desk chosen",
        "manual_courier": "Manual delivery",
        "parcel_status": "Parcel status",
        "parcel_status_at": "Parcel status at",
        "courier_says": "Courier's words",
        "courier_fee": "Courier fee ({currency})",
        "cancel_reason": "Cancellation reason",
        "cancelled_by": "Cancelled by",
        "cancelled_at": "Cancelled at",
        "note": "Customer's note",
        "updated_at": "Last update",
        "sku": "SKU",
        "product": "Product",
        "variant": "Variant",
        "unit_price": "Unit price ({currency})",
        "line_total": "Line total ({currency})",
        "store": "Store",
        "period": "Period",
        "only_status": "Orders exported",
        "all_statuses": "All statuses",
        "exported_at": "Exported at",
        "orders": "Orders",
        "delivery_fees": "Delivery fees ({currency})",
        "by_status": "By status",
    },
}


class Labels:
    """The words of one language (an unknown language reads Arabic, the store default)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in WORDS else DEFAULT_LANG

    def word(self, key: str) -> str:
        return WORDS[self.lang][key].format(currency=CURRENCY[self.lang])

    def status(self, value: str) -> str:
        return STATUS[self.lang].get(value, value)

    def outcome(self, value: str) -> str:
        return OUTCOME[self.lang].get(value, value) if value else ""

    def cancel_reason(self, value: str) -> str:
        return CANCEL_REASON[self.lang].get(value, value) if value else ""

    def delivery(self, value: str) -> str:
        return DELIVERY[self.lang].get(value, value)

    def parcel(self, value: str) -> str:
        return PARCEL[self.lang].get(value, value) if value else ""
