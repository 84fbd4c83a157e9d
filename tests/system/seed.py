"""Seeds a system test's database, run as `python -m tests.system.seed` with the options
as JSON on standard input and DATABASE_URL / SECRET_KEY in the environment; prints what
the test needs as JSON.

Options: `slugs` (one store each, default ["shop"]), `stock`, `sms_url` (the fake SMS
gateway, optional), `courier_url` (the fake Procolis, optional; its credentials are not
tested here, the CLI's path does that).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from models.catalog import products
from models.catalog.tables import Variant
from models.infra.sealing import Sealer
from models.outbox import sms
from models.session import close_db, open_db
from models.shipping import accounts
from models.shipping.fees import FeeRow
from models.stores import setup

SMS_USER, SMS_PASSWORD = "sms", "phone-pass"  # the fake gateway's defaults
PROCOLIS = {"token": "tok-zr-1", "key": "key-zr-1"}  # the fake Procolis's defaults


async def seed_store(slug: str, options: dict[str, Any], sealer: Sealer) -> dict[str, Any]:
    new = await setup.create_store(slug, f"Boutique {slug}", "fr", "owner@example.test")
    await setup.set_fees(new.store, {16: FeeRow(400, 250), 31: FeeRow(600, None)})
    product = await products.add_product(
        new.store,
        "Robe kabyle",
        4500,
        [products.VariantSpec({}, None, options.get("stock", 10_000))],
    )
    variant = await Variant.filter(product_id=product.id).first()
    assert variant is not None
    if options.get("sms_url"):
        await sms.set_sms_gateway(new.store, options["sms_url"], SMS_USER, SMS_PASSWORD, sealer)
    account_id = None
    if options.get("courier_url"):
        account = await accounts.add_account(
            new.store, "procolis", PROCOLIS, sealer, base_url=options["courier_url"]
        )
        account_id = account.id
    return {
        "slug": slug,
        "store_id": new.store.id,
        "api_key": new.api_key,
        "owner_invite": new.invite_token,
        "agent_invite": await setup.create_invite(new.store, "agent"),
        "variant_id": variant.id,
        "account_id": account_id,
    }


async def seed(options: dict[str, Any]) -> dict[str, Any]:
    sealer = Sealer(os.environ["SECRET_KEY"])
    slugs = options.get("slugs") or ["shop"]
    return {"stores": [await seed_store(slug, options, sealer) for slug in slugs]}


async def main() -> None:
    options = json.loads(sys.stdin.read() or "{}")
    await open_db(os.environ["DATABASE_URL"])
    try:
        print(json.dumps(await seed(options)))
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
