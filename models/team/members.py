"""The people and chats of a store on Telegram (SPEC §5): invites, members, the team group,
and who may press what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from models.errors import InvalidInput, InvalidInvite, NotFound
from models.infra.clock import now
from models.orders.tables import OrderEvent
from models.orders.timeline import Actor
from models.stores import cache
from models.stores.setup import invite_hash
from models.stores.tables import Store
from models.team.tables import Invite, Member, TelegramChat

GROUP_KINDS = frozenset({"group", "supergroup"})


@dataclass(frozen=True, slots=True)
class ChatRef:
    """The Telegram chat and user an update came from."""

    chat_id: int
    kind: str
    title: str
    user_id: int
    user_name: str


@dataclass(frozen=True, slots=True)
class Joined:
    store: Store
    role: str  # owner | agent | group
    chat: TelegramChat


async def _take_invite(token: str) -> Invite:
    invite = await Invite.filter(token_hash=invite_hash(token)).select_related("store").first()
    if invite is None or invite.used_at is not None or invite.expires_at < now():
        raise InvalidInvite()
    # Conditional update: two people racing for one invite, only one gets it.
    if not await Invite.filter(id=invite.id, used_at=None).update(used_at=now()):
        raise InvalidInvite()
    return invite


async def _bind_chat(store: Store, ref: ChatRef, user_id: int | None) -> TelegramChat:
    chat, _ = await TelegramChat.get_or_create(
        store=store,
        chat_id=ref.chat_id,
        defaults={"kind": ref.kind, "title": ref.title[:128], "user_id": user_id},
    )
    chat.kind, chat.title, chat.user_id = ref.kind, ref.title[:128], user_id
    chat.active, chat.disabled_reason = True, ""
    await chat.save()
    return chat


async def accept_invite(token: str, ref: ChatRef) -> Joined:
    """`/start <token>`: a private chat joins the user with the invite's role; a group
    becomes the store's team chat. Raises InvalidInvite."""
    async with in_transaction():
        invite = await _take_invite(token)
        store = invite.store
        if ref.kind in GROUP_KINDS:
            return Joined(store, "group", await _bind_chat(store, ref, None))
        member, _ = await Member.get_or_create(
            store=store,
            telegram_user_id=ref.user_id,
            defaults={"role": invite.role, "name": ref.user_name[:128]},
        )
        member.role = joined_role(member, invite.role)
        member.name, member.active = ref.user_name[:128], True
        await member.save()
        return Joined(store, member.role, await _bind_chat(store, ref, ref.user_id))


def joined_role(member: Member, invited_as: str) -> str:
    """An invite only ever raises a role: an owner who opens an agent link stays owner (so
    no invite can leave a store without an owner); a removed member comes back with the
    invite's role."""
    if member.active and member.role == "owner":
        return "owner"
    return invited_as


async def authorize(store: Store, user_id: int, user_name: str, chat_id: int) -> Actor | None:
    """The actor a press from `user_id` in `chat_id` acts as, or None when not allowed.

    Listed members act with their role anywhere the store's cards are; in the bound team
    group anyone counts as an agent unless the owner turned roster mode on.
    """
    member = await Member.get_or_none(store_id=store.id, telegram_user_id=user_id)
    if member is not None and member.active:
        return Actor(member.role, str(user_id), member.name or user_name)
    # A removed member stays out, even from the team group, until invited again.
    if member is not None or store.roster_mode:
        return None
    group = await TelegramChat.filter(
        store_id=store.id, chat_id=chat_id, kind__in=list(GROUP_KINDS), active=True
    ).exists()
    return Actor("agent", str(user_id), user_name) if group else None


async def stores_of_chat(chat_id: int) -> list[Store]:
    """Stores whose cards go to this chat (a private chat may serve several)."""
    chats = await TelegramChat.filter(chat_id=chat_id, active=True).select_related("store")
    return [c.store for c in chats]


async def active_chats(store: Store) -> list[TelegramChat]:
    return await TelegramChat.filter(store_id=store.id, active=True).order_by("id")


async def chats_of(store: Store) -> list[TelegramChat]:
    """Every chat the store has bound, active ones first (the others keep why they stopped)."""
    return await TelegramChat.filter(store_id=store.id).order_by("-active", "id")


async def team_of(store: Store) -> list[Member]:
    return await Member.filter(store_id=store.id, active=True).order_by("id")


@dataclass(frozen=True, slots=True)
class GroupHelper:
    """Someone who pressed a card's buttons in the team group without being invited."""

    user_id: int
    name: str
    last_at: datetime


HELPERS_SINCE = timedelta(days=90)


async def group_helpers(store: Store, limit: int) -> list[GroupHelper]:
    """People who acted as agents from the team group in the last 90 days and are not
    listed members (a removed or blocked person is listed, inactive): the owner sees them
    in /team and may block them. Latest first."""
    listed = {
        str(uid)
        for uid in await Member.filter(store_id=store.id).values_list("telegram_user_id", flat=True)
    }
    rows = (
        await OrderEvent.filter(
            order__store_id=store.id, actor_kind="agent", at__gte=now() - HELPERS_SINCE
        )
        .exclude(actor_id="")
        .annotate(last_at=Max("at"))
        .group_by("actor_id", "actor_name")
        .values("actor_id", "actor_name", "last_at")
    )
    latest: dict[str, GroupHelper] = {}
    for row in rows:
        uid = str(row["actor_id"])
        if uid in listed or not uid.isdigit():
            continue
        seen = latest.get(uid)
        if seen is None or row["last_at"] > seen.last_at:
            latest[uid] = GroupHelper(int(uid), str(row["actor_name"] or uid), row["last_at"])
    return sorted(latest.values(), key=lambda h: h.last_at, reverse=True)[:limit]


async def block_group_helper(store: Store, user_id: int, name: str) -> bool:
    """Keep someone out of the team group's buttons (a removed member's row: inactive,
    until invited again). False when they are already listed."""
    _, created = await Member.get_or_create(
        store_id=store.id,
        telegram_user_id=user_id,
        defaults={"role": "agent", "active": False, "name": name[:128]},
    )
    return created


async def revoke_member(store: Store, member_id: int) -> Member:
    """Remove a member: no more presses, no more cards in their private chat."""
    member = await Member.get_or_none(id=member_id, store_id=store.id, active=True)
    if member is None:
        raise NotFound("member", member_id)
    if (
        member.role == "owner"
        and await Member.filter(store_id=store.id, role="owner", active=True).count() == 1
    ):
        raise InvalidInput("the last owner cannot be removed")
    async with in_transaction():
        await Member.filter(id=member.id).update(active=False)
        await TelegramChat.filter(store_id=store.id, user_id=member.telegram_user_id).update(
            active=False, disabled_reason="member removed"
        )
    return member


async def unlink_chat(store: Store, chat_pk: int) -> TelegramChat:
    chat = await TelegramChat.get_or_none(id=chat_pk, store_id=store.id, active=True)
    if chat is None:
        raise NotFound("chat", chat_pk)
    await TelegramChat.filter(id=chat.id).update(active=False, disabled_reason="unlinked")
    return chat


async def set_roster_mode(store: Store, on: bool) -> None:
    await Store.filter(id=store.id).update(roster_mode=on)
    cache.forget(store.id)
    store.roster_mode = on


async def disable_chat(chat_id: int, reason: str) -> list[Store]:
    """Telegram refused the chat for good (bot blocked or kicked): stop sending there.
    Returns the stores that lost it, so their owners can be told elsewhere."""
    chats = await TelegramChat.filter(chat_id=chat_id, active=True).select_related("store")
    await TelegramChat.filter(chat_id=chat_id).update(active=False, disabled_reason=reason[:200])
    return [c.store for c in chats]


async def notice_chats(store: Store, lost_chat_id: int) -> list[TelegramChat]:
    """Where to tell the owners that a chat stopped: their own private chats, else the
    store's groups (an owner who blocked the bot privately still reads the team group)."""
    chats = [c for c in await active_chats(store) if c.chat_id != lost_chat_id]
    owners = set(
        await Member.filter(store_id=store.id, role="owner", active=True).values_list(
            "telegram_user_id", flat=True
        )
    )
    private = [c for c in chats if c.kind == "private" and c.user_id in owners]
    return private or [c for c in chats if c.kind in GROUP_KINDS]


async def migrate_chat(old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup and changed id: follow it (cards are sent anew)."""
    count = await TelegramChat.filter(chat_id=old_chat_id).update(
        chat_id=new_chat_id, kind="supergroup"
    )
    return int(count)
