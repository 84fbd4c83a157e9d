"""The store's people and chats on Telegram (models.team.members): who may press, which chats get
cards, and what happens when Telegram takes a chat away or moves it."""

from __future__ import annotations

import asyncio

import pytest

from models.errors import InvalidInvite
from models.stores import setup
from models.team import members
from models.team.members import ChatRef
from models.team.tables import Invite, Member, TelegramChat
from tests.factories import Shop, make_shop

NADIA = ChatRef(1001, "private", "Nadia", 1001, "Nadia")
YACINE = ChatRef(2002, "private", "Yacine", 2002, "Yacine")
GROUP = ChatRef(-4001, "group", "Équipe", 1001, "Nadia")


async def join(shop: Shop, ref: ChatRef, role: str = "owner") -> TelegramChat:
    token = await setup.create_invite(shop.store, role)
    return (await members.accept_invite(token, ref)).chat


async def test_one_invite_joins_one_person_even_when_two_race(db: str) -> None:
    shop = await make_shop()
    token = await setup.create_invite(shop.store, "agent")

    async def take(ref: ChatRef) -> bool:
        try:
            await members.accept_invite(token, ref)
        except InvalidInvite:
            return False
        return True

    assert sorted(await asyncio.gather(take(NADIA), take(YACINE))) == [False, True]
    assert await Member.filter(store_id=shop.store.id).count() == 1


async def test_who_may_press_where(db: str) -> None:
    shop = await make_shop()
    await join(shop, NADIA)
    await join(shop, YACINE, "agent")
    await join(shop, GROUP)
    store = shop.store
    owner = await members.authorize(store, 1001, "x", GROUP.chat_id)
    assert owner is not None and (owner.kind, owner.name) == ("owner", "Nadia")
    agent = await members.authorize(store, 2002, "x", YACINE.chat_id)
    assert agent is not None and agent.kind == "agent"
    helper = await members.authorize(store, 5005, "Helper", GROUP.chat_id)
    assert helper is not None and (helper.kind, helper.name) == ("agent", "Helper")
    assert await members.authorize(store, 5005, "Stranger", 5005) is None  # private, not a member
    await members.set_roster_mode(store, True)
    assert await members.authorize(store, 5005, "Helper", GROUP.chat_id) is None
    assert await members.authorize(store, 2002, "x", GROUP.chat_id) is not None


async def test_a_removed_chat_is_disabled_everywhere_and_its_stores_returned(db: str) -> None:
    ours, theirs = await make_shop("ours"), await make_shop("theirs")
    for shop in (ours, theirs):
        await join(shop, NADIA)
    lost = await members.disable_chat(NADIA.chat_id, "Forbidden: bot was blocked by the user")
    assert sorted(s.slug for s in lost) == ["ours", "theirs"]
    rows = await TelegramChat.filter(chat_id=NADIA.chat_id)
    assert [r.active for r in rows] == [False, False]
    assert all("blocked" in r.disabled_reason for r in rows)
    assert await members.disable_chat(NADIA.chat_id, "again") == []


@pytest.mark.parametrize(
    ("lost", "told"),
    [
        (YACINE.chat_id, [NADIA.chat_id]),  # an agent's chat: the owner, privately
        (GROUP.chat_id, [NADIA.chat_id]),
        (NADIA.chat_id, [GROUP.chat_id]),  # the owner's own chat: the team group
    ],
)
async def test_the_owner_is_told_somewhere_else(db: str, lost: int, told: list[int]) -> None:
    shop = await make_shop()
    for ref, role in ((NADIA, "owner"), (YACINE, "agent"), (GROUP, "agent")):
        await join(shop, ref, role)
    await members.disable_chat(lost, "gone")
    assert [c.chat_id for c in await members.notice_chats(shop.store, lost)] == told


async def test_nobody_left_to_tell_is_no_error(db: str) -> None:
    shop = await make_shop()
    await join(shop, NADIA)
    await members.disable_chat(NADIA.chat_id, "gone")
    assert await members.notice_chats(shop.store, NADIA.chat_id) == []


async def test_a_migrated_group_is_followed_once(db: str) -> None:
    shop = await make_shop()
    await join(shop, GROUP)
    assert await members.migrate_chat(GROUP.chat_id, -1002000000001) == 1
    assert await members.migrate_chat(GROUP.chat_id, -1002000000001) == 0
    moved = await TelegramChat.get(store_id=shop.store.id)
    assert (moved.chat_id, moved.kind) == (-1002000000001, "supergroup")
    assert [s.slug for s in await members.stores_of_chat(-1002000000001)] == ["shop"]


async def test_an_invite_never_lowers_a_role(db: str) -> None:
    shop = await make_shop()
    await join(shop, NADIA, "owner")
    joined = await members.accept_invite(await setup.create_invite(shop.store, "agent"), NADIA)
    assert joined.role == "owner"
    nadia = await Member.get(store_id=shop.store.id, telegram_user_id=NADIA.user_id)
    assert (nadia.role, nadia.active) == ("owner", True)
    # The other way round an invite does raise the role.
    await join(shop, YACINE, "agent")
    assert (await members.accept_invite(await setup.create_invite(shop.store), YACINE)).role == (
        "owner"
    )


async def test_invites_never_leave_a_store_without_an_owner(db: str) -> None:
    shop = await make_shop()
    await join(shop, NADIA, "owner")
    for ref in (NADIA, YACINE, NADIA):
        await members.accept_invite(await setup.create_invite(shop.store, "agent"), ref)
    owners = await Member.filter(store_id=shop.store.id, role="owner", active=True)
    assert [m.telegram_user_id for m in owners] == [NADIA.user_id]


async def test_a_removed_member_comes_back_with_the_invites_role(db: str) -> None:
    shop = await make_shop()
    await join(shop, NADIA, "owner")
    await join(shop, YACINE, "owner")
    yacine = await Member.get(store_id=shop.store.id, telegram_user_id=YACINE.user_id)
    await members.revoke_member(shop.store, yacine.id)
    assert (
        await members.accept_invite(await setup.create_invite(shop.store, "agent"), YACINE)
    ).role == ("agent")


async def test_the_database_holds_no_invite_token(db: str) -> None:
    shop = await make_shop()
    tokens = [shop.invite_token, await setup.create_invite(shop.store, "agent")]
    rows = await Invite.filter(store_id=shop.store.id).values_list("token_hash", flat=True)
    assert len(rows) == 2
    for token in tokens:
        assert token not in rows and all(token not in row for row in rows)
        assert setup.invite_hash(token) in rows
    # The token still works, once.
    assert (await members.accept_invite(tokens[1], YACINE)).role == "agent"
    with pytest.raises(InvalidInvite):
        await members.accept_invite(tokens[1], NADIA)
    with pytest.raises(InvalidInvite):  # the stored hash is no token
        await members.accept_invite(setup.invite_hash(tokens[0]), NADIA)
