"""Search and ranked lists behind /find, /order, /orders and digests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise import connections

from models.calls import outcomes
from models.infra.clock import now
from models.orders import intake, name_search, search, transitions
from models.orders.edit import edit_order
from models.orders.edit_plan import OrderEdit
from models.orders.lifecycle import OrderStatus
from models.orders.search import SearchTerm, search_term
from models.orders.tables import Order
from models.orders.timeline import Actor
from tests.conftest import BACKEND
from tests.factories import Shop, checkout, make_shop

NADIA = Actor("owner", "1001", "Nadia")


async def place(shop: Shop, name: str, phone: str) -> int:
    request = checkout(shop.variants[0].id, 1, name=name, phone=phone)
    return (await intake.place_order(shop.store, request)).order.number


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("1042", SearchTerm("number", "1042")),
        ("#1042", SearchTerm("number", "1042")),
        ("# 1042", SearchTerm("number", "1042")),
        ("0550 12 34 56", SearchTerm("phone", "+213550123456")),
        ("550123456", SearchTerm("phone", "+213550123456")),
        ("Amina  Benali ", SearchTerm("name", "Amina Benali")),
        ("05501", SearchTerm("name", "05501")),
        ("%", SearchTerm("name", "%")),
        ("   ", None),
    ],
)
def test_what_a_search_means(typed: str, term: SearchTerm | None) -> None:
    assert search_term(typed) == term


async def _numbers(shop: Shop, typed: str) -> list[int]:
    found = await search.find_orders(shop.store, typed)
    assert found is not None
    return [o.number for o in found.orders]


async def test_find_by_phone_in_every_form_number_and_name(db: str) -> None:
    shop = await make_shop()
    amina = await place(shop, "Amina Benali", "0550 12 34 56")
    bio = await place(shop, "amina 100% Bio", "0661 11 22 33")
    karim = await place(shop, "Karim_B", "0770 44 55 66")
    tagged = await place(shop, "<b>Zed</b>", "0555 00 00 01")
    other = await make_shop("other")
    await place(other, "Amina Elsewhere", "0550 12 34 56")  # same phone, another store

    for typed in (
        "0550123456",
        "0550 12 34 56",
        "+213 550 12 34 56",
        "00213550123456",
        "213550123456",
        "٠٥٥٠١٢٣٤٥٦",
        "0550-12-34-56",
    ):
        assert await _numbers(shop, typed) == [amina], typed
    assert await _numbers(shop, str(amina)) == [amina]
    assert await _numbers(shop, f"#{karim}") == [karim]
    assert await _numbers(shop, "#9999") == []
    assert await _numbers(shop, "AMINA") == [bio, amina]  # newest first, any case
    assert await _numbers(shop, "min") == [bio, amina]
    # LIKE wildcards and markup typed by a person are plain characters.
    assert await _numbers(shop, "%") == [bio]
    assert await _numbers(shop, "_") == [karim]
    assert await _numbers(shop, "<b>") == [tagged]
    assert await _numbers(shop, "' OR 1=1 --") == []
    assert await search.find_orders(shop.store, "") is None


async def test_find_shows_the_ten_newest(db: str) -> None:
    shop = await make_shop()
    made = [await place(shop, f"Client {i}", f"0661 00 00 {i:02d}") for i in range(12)]
    found = await search.find_orders(shop.store, "client")
    assert found is not None and found.more
    assert [o.number for o in found.orders] == made[::-1][:10]


async def test_order_numbered_is_scoped_to_the_store(db: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    mine = await place(shop, "Amina Benali", "0550 12 34 56")
    assert (await search.order_numbered(shop.store, mine)) is not None
    assert await search.order_numbered(other.store, mine) is None


async def test_ranked_pages_clamp_and_digest_ranges(db: str) -> None:
    shop = await make_shop()
    made = [await place(shop, f"Client {i}", f"0661 00 00 {i:02d}") for i in range(5)]
    await transitions.transition_order(shop.store, made[0], OrderStatus.CONFIRMED, NADIA)
    await transitions.cancel_order(shop.store, made[1], NADIA)

    handling = await search.orders_to_handle(shop.store, 7, per_page=2)
    page = handling.page
    assert (page.page, page.pages, page.total) == (1, 2, 4)  # past the end: the last page
    assert [o.number for o in page.orders] == [made[4], made[0]]  # oldest first, calls first
    assert (handling.to_call, handling.later, handling.after_call) == (3, 0, 1)

    digest = await search.orders_numbered(shop.store, made[0], made[3], 0, per_page=8)
    assert [o.number for o in digest.orders] == [made[3], made[2], made[0], made[1]]


async def test_the_calls_to_make_come_first_the_longest_waiting_first(db: str) -> None:
    shop = await make_shop()
    made = [await place(shop, f"Client {i}", f"0661 00 00 {i:02d}") for i in range(5)]
    soon = now() + timedelta(hours=1)
    await transitions.transition_order(shop.store, made[0], OrderStatus.CONFIRMED, NADIA)
    await outcomes.log_call(shop.store, made[1], "postponed", NADIA, callback_at=soon)
    await outcomes.log_call(shop.store, made[2], "no_answer", NADIA)
    await outcomes.log_call(shop.store, made[3], "postponed", NADIA, callback_at=soon)
    # The no-answer scheduled its next call by the store's plan: three call-backs to come.
    when = dict(await Order.filter(store_id=shop.store.id).values_list("number", "callback_at"))
    backs = sorted((made[1], made[2], made[3]), key=lambda n: (when[n], n))
    assert all(when[n] is not None for n in backs)
    # Seen a day on, they are all due (not yet brought back by the sweep), soonest first.
    handling = await search.orders_to_handle(shop.store, 0, at=now() + timedelta(days=1))
    assert [o.number for o in handling.page.orders] == [*backs, made[4], made[0]]
    assert (handling.to_call, handling.later, handling.after_call) == (4, 0, 1)
    # Seen now: only the order never called is a call to make.
    handling = await search.orders_to_handle(shop.store, 0)
    assert [o.number for o in handling.page.orders] == [made[4], *backs, made[0]]
    assert (handling.to_call, handling.later, handling.after_call) == (1, 3, 1)


# The names are found two ways (models.orders.name_search): among the store's newest orders,
# and through the trigram index when those hold too few. A test store is small enough for
# the first to answer everything; with RECENT at 1 the index answers instead.
PATHS = ("newest", "index")


@pytest.fixture(params=PATHS)
def name_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "index":
        monkeypatch.setattr(name_search, "RECENT", 1)
    return str(request.param)


def _phone(i: int) -> str:
    return f"0661 20 {i // 100:02d} {i % 100:02d}"


async def test_a_name_is_found_by_any_part_in_any_case(db: str, name_path: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    amina = await place(shop, "Amina Benali", _phone(1))
    bio = await place(shop, "amina 100% Bio", _phone(2))
    karim = await place(shop, "Karim_B", _phone(3))
    await place(other, "Amina Benali", _phone(4))  # another store's: never shown

    assert await _numbers(shop, "benali") == [amina]
    assert await _numbers(shop, "BENALI") == [amina]
    assert await _numbers(shop, "mina") == [bio, amina]
    assert await _numbers(shop, "Amina Benali") == [amina]
    assert await _numbers(shop, "am") == [bio, amina]  # shorter than a trigram
    assert await _numbers(shop, "B") == [karim, bio, amina]
    # LIKE's wildcards and escape are plain characters, short or long.
    assert await _numbers(shop, "0% B") == [bio]
    assert await _numbers(shop, "100%") == [bio]
    assert await _numbers(shop, "m_B") == [karim]
    assert await _numbers(shop, "a_B") == []
    assert await _numbers(shop, "a%B") == []
    assert await _numbers(shop, "\\") == []
    assert await _numbers(shop, "Zerrouki") == []
    assert await _numbers(shop, 'Ami"na') == []  # a quote is no FTS5 syntax either


async def test_letters_beyond_ascii_fold_as_the_database_folds_them(
    db: str, name_path: str
) -> None:
    shop = await make_shop()
    ecole = await place(shop, "École Été", _phone(1))
    arabic = await place(shop, "أمينة بن علي", _phone(2))
    assert await _numbers(shop, "École") == [ecole]
    assert await _numbers(shop, "cole ét") == ([ecole] if BACKEND == "postgres" else [])
    assert await _numbers(shop, "ÉCOLE") == [ecole]
    assert await _numbers(shop, "école") == ([ecole] if BACKEND == "postgres" else [])
    assert await _numbers(shop, "بن علي") == [arabic]
    assert await _numbers(shop, "بن") == [arabic]


async def test_a_changed_name_is_found_by_the_new_one_only(db: str, name_path: str) -> None:
    shop = await make_shop()
    number = await place(shop, "Amina Benali", _phone(1))
    await edit_order(shop.store, number, OrderEdit(name="Lamia Zerrouki"), NADIA, 1)
    assert await _numbers(shop, "Zerrouki") == [number]
    assert await _numbers(shop, "Benali") == []
    await transitions.cancel_order(shop.store, number, NADIA)  # still found once cancelled
    assert await _numbers(shop, "lamia") == [number]


async def test_a_deleted_store_leaves_no_name_behind(db: str, name_path: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    mine = await place(shop, "Amina Benali", _phone(1))
    await place(other, "Amina Benali", _phone(2))
    await Order.filter(store_id=other.store.id).delete()
    assert await _numbers(shop, "Benali") == [mine]
    assert await _numbers(other, "Benali") == []


async def test_more_than_ten_the_ten_newest(db: str, name_path: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    made = [await place(shop, f"Client Haddad {i}", _phone(i)) for i in range(12)]
    await place(other, "Client Haddad", _phone(50))
    found = await search.find_orders(shop.store, "haddad")
    assert found is not None and found.more
    assert [o.number for o in found.orders] == made[::-1][:10]
    eleven = await search.find_orders(shop.store, "haddad 1")  # 1, 10, 11
    assert eleven is not None and not eleven.more
    assert [o.number for o in eleven.orders] == [made[11], made[10], made[1]]


@pytest.mark.skipif(BACKEND != "sqlite", reason="the FTS5 table is SQLite's trigram index")
async def test_the_sqlite_trigram_table_follows_every_write(db: str) -> None:
    shop = await make_shop()
    numbers = [await place(shop, f"Client {i}", _phone(i)) for i in range(3)]
    await edit_order(shop.store, numbers[0], OrderEdit(name="Lamia Zerrouki"), NADIA, 1)
    await Order.filter(number=numbers[1]).delete()
    conn = connections.get("default")
    # FTS5 compares its index with the names in "order" (rank 1: the external content).
    await conn.execute_script(
        "INSERT INTO order_name_trigram (order_name_trigram, rank) VALUES ('integrity-check', 1)"
    )
    _, rows = await conn.execute_query(
        "SELECT rowid FROM order_name_trigram WHERE order_name_trigram MATCH ?", ['"client"']
    )
    assert [row[0] for row in rows] == [(await Order.get(number=numbers[2])).id]
