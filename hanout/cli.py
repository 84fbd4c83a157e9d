"""The `hanout` console script (SPEC §9)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from couriers.registry import COURIERS
from hanout import logs
from hanout.bot_link import invite_link
from hanout.migrate import migrate
from hanout.processes import outbox_routes, run_workers, serve
from hanout.processes import run as run_server
from hanout.settings import Settings
from models.catalog import products
from models.catalog.products import VariantSpec
from models.errors import DomainError
from models.infra.sealing import Sealer
from models.outbox import relay as outbox
from models.outbox import sms
from models.session import close_db, open_db
from models.shipping import geography
from models.shipping.fees import parse_fee_csv
from models.shipping.tables import CourierAccount
from models.stores import api_keys, setup
from models.stores.demo import seed_demo
from models.stores.tables import ApiKey
from shipping import accounts as courier_accounts
from shipping import courier_setup


async def _with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    settings.ensure_sqlite_dir()
    await open_db(settings.database_url)
    outbox.use_routes(outbox_routes(telegram=bool(settings.telegram_bot_token)))
    try:
        return await work()
    finally:
        await close_db()


def _print(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


async def cmd_store_create(settings: Settings, a: argparse.Namespace) -> None:
    new = await setup.create_store(a.slug, a.name, a.lang, a.email)
    _print(
        {
            "slug": new.store.slug,
            "api_key": new.api_key,
            "invite_token": new.invite_token,
            "invite_link": await invite_link(settings, new.invite_token),
            "storefront": f"{settings.base_url}/{new.store.slug}/",
        }
    )


async def cmd_store_invite(settings: Settings, a: argparse.Namespace) -> None:
    token = await setup.create_invite(await setup.get_store(a.slug), a.role)
    link = await invite_link(settings, token)
    _print({"role": a.role, "invite_token": token, "invite_link": link})


def _key_row(key: ApiKey) -> dict[str, Any]:
    def when(at: datetime | None) -> str | None:
        return at.astimezone(UTC).isoformat(timespec="seconds") if at else None

    return {
        "id": key.id,
        "label": key.label,
        "prefix": f"hk_{key.prefix}",
        "created_at": when(key.created_at),
        "last_used_at": when(key.last_used_at),
        "revoked_at": when(key.revoked_at),
    }


async def cmd_key_create(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    new = await api_keys.create_api_key(store, a.label)
    _print({**_key_row(new.row), "api_key": new.secret})
    print("hanout: the key is shown only this once; store it now", file=sys.stderr)


async def cmd_key_list(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    _print({"slug": store.slug, "keys": [_key_row(k) for k in await api_keys.list_api_keys(store)]})


async def cmd_key_revoke(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    _print(_key_row(await api_keys.revoke_api_key(store, a.id)))


def _variant_specs(raw: list[str], stock: int) -> list[VariantSpec]:
    """`--variant "Taille=M;Couleur=Rouge[@price][#stock]"` → specs."""
    specs = []
    for item in raw:
        body, _, count = item.partition("#")
        body, _, price = body.partition("@")
        specs.append(
            VariantSpec(
                products.parse_options(body),
                int(price) if price else None,
                int(count) if count else stock,
            )
        )
    return specs or [VariantSpec(stock=stock)]


async def cmd_product_add(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    product = await products.add_product(
        store, a.name, a.price, _variant_specs(a.variant, a.stock), a.description, a.photo
    )
    _print(
        {
            "id": product.id,
            "slug": product.slug,
            "url": f"{settings.base_url}/{store.slug}/p/{product.slug}",
        }
    )


async def cmd_catalog_import(settings: Settings, a: argparse.Namespace) -> None:
    text = await asyncio.to_thread(Path(a.file).read_text, encoding="utf-8-sig")
    count = await products.import_catalog(await setup.get_store(a.slug), text)
    _print({"products": count})


def _read_secret(prompt: str) -> str:
    """One secret from standard input: typed without echo on a terminal, else a line."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _secret_argument(value: str, name: str = "password") -> str:
    """`-` reads the secret from standard input, keeping it out of the shell history and of
    the process list (`ps`)."""
    return _read_secret(f"{name}: ") if value == "-" else value


async def cmd_sms_set(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    sealer = Sealer(settings.secret_key)
    gateway = await sms.set_sms_gateway(
        store, a.base_url, a.username, _secret_argument(a.password), sealer
    )
    _print(
        {
            "slug": store.slug,
            "base_url": gateway.base_url,
            "username": gateway.username,
            "active": gateway.active,
        }
    )


async def cmd_store_fees(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    text = await asyncio.to_thread(Path(a.file).read_text, encoding="utf-8-sig")
    table = parse_fee_csv(text, {w.code for w in geography.wilayas()})
    await setup.set_fees(store, table)
    served = sum(1 for row in table.values() if row.home is not None or row.desk is not None)
    _print({"wilayas": len(table), "served": served})


def _credentials(pairs: list[str]) -> dict[str, str]:
    """`--credential key=value`, repeatable → {key: value}; `key=-` reads the value from
    standard input (one line each, in the order given; without echo on a terminal)."""
    credentials = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--credential {key!r}: write key=value")
        credentials[key.strip()] = _secret_argument(value, key.strip())
    return credentials


def _warn(message: str) -> None:
    print(f"hanout: warning: {message}", file=sys.stderr)


def _ask_webhook_secret(courier: str, url: str) -> str:
    """On a terminal: the secret the courier gives once its webhook is registered."""
    if not sys.stdin.isatty():
        return ""
    print(f"Webhook address: {url}", file=sys.stderr)
    print(courier_setup.webhook_setup(courier), file=sys.stderr)
    return getpass.getpass("webhook_secret (empty: keep it later with `courier secret`): ")


async def cmd_courier_add(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    sealer = Sealer(settings.secret_key)
    credentials = _credentials(a.credential)
    for warning in courier_setup.base_url_warnings(a.base_url):
        _warn(warning)
    account = await courier_accounts.add_account(
        store, a.courier, credentials, sealer, base_url=a.base_url, label=a.label
    )
    path = courier_accounts.webhook_path(account, sealer)
    url = f"{settings.base_url}{path}" if path else None
    for warning in courier_setup.webhook_url_warnings(url) if url else []:
        _warn(warning)
    wanted = courier_setup.needs_webhook_secret(account.courier)
    if url and wanted and courier_accounts.WEBHOOK_SECRET not in credentials:
        secret = _ask_webhook_secret(account.courier, url).strip()
        if secret:
            account = await courier_setup.set_webhook_secret(store, account.id, secret, sealer)
    _print(_courier_summary(settings, store.slug, account, sealer, url))


def _courier_summary(
    settings: Settings, slug: str, account: CourierAccount, sealer: Sealer, url: str | None
) -> dict[str, Any]:
    kept = courier_setup.webhook_secret_state(account, sealer)
    summary = {
        "id": account.id,
        "store": slug,
        "courier": account.courier,
        "default": account.is_default,
        "webhook_url": url,
        "webhook_setup": courier_setup.webhook_setup(account.courier) if url else None,
        "webhook_secret": kept,
    }
    if kept == "missing":
        summary["next"] = f"hanout courier secret {slug} {account.id} -"
    return summary


async def cmd_courier_secret(settings: Settings, a: argparse.Namespace) -> None:
    store = await setup.get_store(a.slug)
    sealer = Sealer(settings.secret_key)
    secret = _secret_argument(a.secret, "webhook_secret")
    account = await courier_setup.set_webhook_secret(store, a.account, secret, sealer)
    path = courier_accounts.webhook_path(account, sealer)
    url = f"{settings.base_url}{path}" if path else None
    _print(_courier_summary(settings, store.slug, account, sealer, url))


async def cmd_demo(settings: Settings, a: argparse.Namespace) -> None:
    new = await seed_demo()
    if new is None:
        print("the database already has a store; demo not created", file=sys.stderr)
        return
    _print(
        {
            "storefront": f"{settings.base_url}/{new.store.slug}/",
            "api_key": new.api_key,
            "invite_token": new.invite_token,
            "invite_link": await invite_link(settings, new.invite_token),
        }
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hanout", description="Hanout order desk")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="web + relay (+ bot) in one process")
    web = sub.add_parser("web", help="storefront, API (and Telegram webhook)")
    web.add_argument(
        "--workers",
        type=int,
        default=1,
        choices=range(1, 65),
        metavar="N",
        help="N processes sharing the port (SO_REUSEPORT); default 1",
    )
    sub.add_parser("worker", help="outbox relay and scheduled jobs")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("demo", help="create the demo store if the database is empty")
    store = sub.add_parser("store").add_subparsers(dest="action", required=True)
    create = store.add_parser("create")
    create.add_argument("slug")
    create.add_argument("--name", required=True)
    create.add_argument("--lang", default="ar", choices=setup.LANGS)
    create.add_argument("--email", default="")
    fees = store.add_parser("fees", help="replace the delivery fees from wilaya,home,desk CSV")
    fees.add_argument("slug")
    fees.add_argument("file")
    keys = store.add_parser("key", help="the store's API keys").add_subparsers(
        dest="key_action", required=True
    )
    kcreate = keys.add_parser("create", help="a new key, printed once")
    kcreate.add_argument("slug")
    kcreate.add_argument("--label", default="", help="what the key is for, e.g. 'site'")
    keys.add_parser("list", help="id, label, prefix, created, last used, revoked").add_argument(
        "slug"
    )
    krevoke = keys.add_parser("revoke", help="refuse the key from now on (401)")
    krevoke.add_argument("slug")
    krevoke.add_argument("id", type=int)
    invite = store.add_parser("invite")
    invite.add_argument("slug")
    invite.add_argument("--role", default="agent", choices=setup.ROLES)
    product = sub.add_parser("product").add_subparsers(dest="action", required=True)
    add = product.add_parser("add")
    add.add_argument("slug")
    add.add_argument("--name", required=True)
    add.add_argument("--price", type=int, required=True)
    add.add_argument("--stock", type=int, default=0)
    add.add_argument(
        "--variant",
        action="append",
        default=[],
        help='"Taille=M;Couleur=Rouge[@price][#stock]", repeatable',
    )
    add.add_argument("--description", default="")
    add.add_argument("--photo", default="")
    courier = sub.add_parser("courier").add_subparsers(dest="action", required=True)
    cadd = courier.add_parser("add", help="add a courier account (credentials tested first)")
    cadd.add_argument("slug")
    cadd.add_argument("courier", choices=sorted(COURIERS))
    cadd.add_argument("--base-url", default="")
    cadd.add_argument("--label", default="")
    cadd.add_argument(
        "--credential",
        action="append",
        default=[],
        help="key=value, repeatable; key=- reads the value from standard input",
    )
    csecret = courier.add_parser(
        "secret", help="keep the webhook secret the courier gave (Yalidine, ZR Express)"
    )
    csecret.add_argument("slug")
    csecret.add_argument("account", type=int, help="the account id `courier add` printed")
    csecret.add_argument("secret", nargs="?", default="-", help="'-' (default) reads it from stdin")
    imp = (
        sub.add_parser("catalog").add_subparsers(dest="action", required=True).add_parser("import")
    )
    imp.add_argument("slug")
    imp.add_argument("file")
    sms_cmds = sub.add_parser("sms").add_subparsers(dest="action", required=True)
    sms_set = sms_cmds.add_parser("set", help="the store's SMS Gateway for Android (local/cloud)")
    sms_set.add_argument("slug")
    sms_set.add_argument("--base-url", required=True, help="e.g. http://192.168.1.20:8080")
    sms_set.add_argument("--username", required=True)
    sms_set.add_argument("--password", required=True, help="'-' reads it from standard input")
    return p


_DB_COMMANDS: dict[
    tuple[str, str | None], Callable[[Settings, argparse.Namespace], Awaitable[None]]
] = {
    ("store", "create"): cmd_store_create,
    ("store", "invite"): cmd_store_invite,
    ("store", "fees"): cmd_store_fees,
    ("store", "key create"): cmd_key_create,
    ("store", "key list"): cmd_key_list,
    ("store", "key revoke"): cmd_key_revoke,
    ("product", "add"): cmd_product_add,
    ("catalog", "import"): cmd_catalog_import,
    ("courier", "add"): cmd_courier_add,
    ("courier", "secret"): cmd_courier_secret,
    ("sms", "set"): cmd_sms_set,
    ("demo", None): cmd_demo,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        print(f"hanout: bad configuration: {problems}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, log_sql=settings.log_sql)
    if args.command in ("run", "web", "worker") and (problem := settings.secret_key_problem()):
        print(f"hanout: {problem}", file=sys.stderr)
        return 2
    try:
        if args.command == "web" and args.workers > 1:
            run_workers(
                args.workers,
                lambda: serve(settings, with_web=True, with_worker=False, reuse_port=True),
            )
        elif args.command in ("run", "web", "worker"):
            run_server(
                serve(
                    settings, with_web=args.command != "worker", with_worker=args.command != "web"
                )
            )
        elif args.command == "migrate":
            settings.ensure_sqlite_dir()
            asyncio.run(migrate(settings.database_url))
        else:
            action = getattr(args, "action", None)
            if key_action := getattr(args, "key_action", None):
                action = f"{action} {key_action}"
            handler = _DB_COMMANDS[(args.command, action)]
            asyncio.run(_with_db(settings, lambda: handler(settings, args)))
    except (DomainError, ValueError, OSError) as exc:
        print(f"hanout: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
