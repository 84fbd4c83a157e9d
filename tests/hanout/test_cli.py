"""The `hanout` console script, run as a real process against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.catalog.tables import Product, Variant
from models.shipping.tables import DeliveryFee
from models.stores.setup import invite_hash
from models.stores.tables import Store
from models.team.tables import Invite

ROOT = Path(__file__).resolve().parents[2]


def hanout(
    db_url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "DATABASE_URL": db_url,
        "PUBLIC_URL": "https://shop.example.dz",
        "TELEGRAM_BOT_USERNAME": "hanout_test_bot",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "hanout.cli", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_store_create_prints_keys_and_invite(db: str) -> None:
    done = hanout(
        db,
        "store",
        "create",
        "ma-boutique",
        "--name",
        "Ma boutique",
        "--lang",
        "fr",
        "--email",
        "owner@example.dz",
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["api_key"].startswith("hk_")
    assert out["invite_link"] == f"https://t.me/hanout_test_bot?start={out['invite_token']}"
    assert out["storefront"] == "https://shop.example.dz/ma-boutique/"
    store = await Store.get(slug="ma-boutique")
    assert (store.name, store.lang, store.owner_email) == ("Ma boutique", "fr", "owner@example.dz")
    invite = await Invite.get(token_hash=invite_hash(out["invite_token"]))
    assert invite.role == "owner"


async def test_store_invite_for_an_agent(db: str) -> None:
    assert hanout(db, "store", "create", "s1", "--name", "S").returncode == 0
    done = hanout(db, "store", "invite", "s1", "--role", "agent")
    assert done.returncode == 0, done.stderr
    token = json.loads(done.stdout)["invite_token"]
    assert (await Invite.get(token_hash=invite_hash(token))).role == "agent"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("store", "create", "Bad Slug!", "--name", "x"), "slug"),
        (("store", "invite", "missing"), "store missing not found"),
        (("product", "add", "missing", "--name", "x", "--price", "1"), "not found"),
    ],
)
async def test_bad_input_is_a_clear_error(db: str, args: tuple[str, ...], message: str) -> None:
    done = hanout(db, *args)
    assert done.returncode == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


async def test_bad_configuration_is_named(db: str) -> None:
    done = hanout(db, "demo", env={"PORT": "not-a-port"})
    assert done.returncode == 2 and "PORT" in done.stderr and "Traceback" not in done.stderr


async def test_product_add_with_variants(db: str) -> None:
    assert hanout(db, "store", "create", "s1", "--name", "S").returncode == 0
    done = hanout(
        db,
        "product",
        "add",
        "s1",
        "--name",
        "Robe kabyle",
        "--price",
        "4500",
        "--variant",
        "Taille=M#5",
        "--variant",
        "Taille=L@4800#2",
    )
    assert done.returncode == 0, done.stderr
    product = await Product.get(id=json.loads(done.stdout)["id"])
    variants = await Variant.filter(product_id=product.id).order_by("id")
    assert [(v.option_map(), v.price, v.stock) for v in variants] == [
        ({"Taille": "M"}, 4500, 5),
        ({"Taille": "L"}, 4800, 2),
    ]


async def test_catalog_import_all_or_nothing(db: str, tmp_path: Path) -> None:
    assert hanout(db, "store", "create", "s1", "--name", "S").returncode == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "product,price,sku,options,stock,description\n"
        "Robe,4500,R-M,Taille=M,5,Belle robe\n"
        "Robe,4500,R-L,Taille=L,3,\n"
        "Huile,1400,H-1,,40,Extra vierge\n",
        encoding="utf-8",
    )
    done = hanout(db, "catalog", "import", "s1", str(good))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"products": 2}
    assert sorted(await Variant.all().values_list("sku", flat=True)) == ["H-1", "R-L", "R-M"]
    bad = tmp_path / "bad.csv"
    bad.write_text("product,price,sku,options,stock\nX,12,X-1,,2\nY,abc,Y-1,,1\n")
    done = hanout(db, "catalog", "import", "s1", str(bad))
    assert done.returncode == 1 and "line 3" in done.stderr
    assert await Product.all().count() == 2


async def test_demo_only_on_an_empty_database(db: str) -> None:
    done = hanout(db, "demo")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["storefront"].endswith("/demo/")
    store = await Store.get(slug="demo")
    assert await Product.filter(store_id=store.id).count() >= 3
    again = hanout(db, "demo")
    assert again.returncode == 0 and "already" in again.stderr
    assert await Store.all().count() == 1


async def test_a_new_store_is_priced_and_fees_can_be_replaced(db: str, tmp_path: Path) -> None:
    assert hanout(db, "store", "create", "s1", "--name", "S").returncode == 0
    store = await Store.get(slug="s1")
    assert await DeliveryFee.filter(store_id=store.id).count() == 69
    table = tmp_path / "fees.csv"
    table.write_text("wilaya,home,desk\n16,350,200\n31,600,\n", encoding="utf-8")
    done = hanout(db, "store", "fees", "s1", str(table))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"wilayas": 2, "served": 2}
    rows = await DeliveryFee.filter(store_id=store.id).order_by("wilaya_code")
    assert [(r.wilaya_code, r.home_fee, r.desk_fee) for r in rows] == [
        (16, 350, 200),
        (31, 600, None),
    ]
    table.write_text("wilaya,home,desk\n16,350,200\n99,1,1\n", encoding="utf-8")
    bad = hanout(db, "store", "fees", "s1", str(table))
    assert bad.returncode == 1 and "line 3" in bad.stderr
    assert await DeliveryFee.filter(store_id=store.id).count() == 2
