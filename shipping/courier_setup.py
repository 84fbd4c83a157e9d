"""What `courier add` tells the operator besides the account: the webhook address to
register at the courier with the one-line way to do it and where its secret goes, and
warnings about a base URL that would expose the credentials.

Webhooks make a parcel's changes arrive at once instead of at the next poll
(PARCEL_POLL_SECONDS). Yalidine (and its clone hosts) and ZR Express sign their deliveries
with a secret they give out once the address is registered, kept as the account's
credential `webhook_secret`; Maystro signs nothing, so the address itself ends with a
secret token generated at `courier add` (reference/couriers.md §2.8, §6.6, §7.5).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from models.infra.sealing import Sealer
from models.shipping import accounts as courier_accounts
from models.shipping.tables import CourierAccount
from models.stores.tables import Store
from shipping.accounts import SIGNED_WEBHOOKS, TOKEN_WEBHOOKS, WEBHOOK_SECRET, YALIDINE_WEBHOOKS

YALIDINE_SETUP = (
    "In the courier's developer dashboard, Webhooks: add one with this address and the "
    "event parcel_status_updated, enable it once its check passed, and keep its secret key "
    "(Clé secrète) as webhook_secret."
)
ZREXPRESS_SETUP = (
    "Register this address at ZR Express (POST webhooks/endpoints with the event "
    "parcel.state.updated, or its dashboard's Webhooks page) and keep the endpoint's signing "
    "secret (whsec_…, GET webhooks/endpoints/{id}/secret) as webhook_secret."
)
MAYSTRO_SETUP = (
    "Register this address at Maystro (POST stores/hooks/costume/ once per status trigger "
    "type); the token at its end is the secret: nothing more to keep."
)


def webhook_setup(courier: str) -> str | None:
    """The one-line way to turn on the courier's webhook, or None when it has none."""
    if courier in YALIDINE_WEBHOOKS:
        return YALIDINE_SETUP
    if courier == "zrexpress":
        return ZREXPRESS_SETUP
    if courier in TOKEN_WEBHOOKS:
        return MAYSTRO_SETUP
    return None


def webhook_secret_state(account: CourierAccount, sealer: Sealer) -> str | None:
    """ "set", "missing" (the courier's secret is still to be kept) or "in the address";
    None for a courier without webhooks."""
    if account.courier in TOKEN_WEBHOOKS:
        return "in the address"
    if account.courier not in SIGNED_WEBHOOKS:
        return None
    credentials = courier_accounts.credentials_of(account, sealer)
    return "set" if credentials.get(WEBHOOK_SECRET) else "missing"


def needs_webhook_secret(courier: str) -> bool:
    """Whether the courier gives a signing secret that we must keep."""
    return courier in SIGNED_WEBHOOKS


async def set_webhook_secret(
    store: Store, account_id: int, secret: str, sealer: Sealer
) -> CourierAccount:
    """Keep the secret the courier gave for the account's webhook (InvalidInput when
    empty or too long, NotFound for another store's account)."""
    return await courier_accounts.update_credentials(
        store, account_id, {WEBHOOK_SECRET: secret}, sealer
    )


def base_url_warnings(base_url: str) -> list[str]:
    """Why sending credentials to this courier address is risky: plain http (anyone on the
    path reads them) or a private, loopback or link-local address (not a courier's public
    API; often a typo or a test server). Empty when nothing is wrong."""
    parts = urlsplit(base_url.strip())
    warnings = []
    if parts.scheme == "http":
        warnings.append(
            f"{base_url} is plain http: the courier credentials would travel unencrypted; use https"
        )
    host = (parts.hostname or "").lower()
    if _private_host(host):
        warnings.append(
            f"{base_url} is a private or local address, not a courier's public API: "
            "check it is the server you mean to trust with these credentials"
        )
    return warnings


def webhook_url_warnings(url: str) -> list[str]:
    """Why a courier could not call this webhook address: not https (Yalidine takes only
    https) or not a public host (PUBLIC_URL left at its local default)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and not _private_host((parts.hostname or "").lower()):
        return []
    return [
        f"the webhook address {url} is not a public https address: couriers cannot call "
        "it; set PUBLIC_URL to the https address of this server"
    ]


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global
