"""Playing Telegram's part for the desk: init data signed with a bot token, as a Mini App
client hands it to the page, and a store whose team has an owner and an agent."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from models.team.tables import Member
from tests.factories import Shop, make_shop
from webstore.desk_auth import sign_init_data

BOT_TOKEN = "123456:desk-test-token"
OWNER_ID, AGENT_ID, STRANGER_ID = 1001, 2002, 9009


def init_data(
    user_id: int,
    token: str = BOT_TOKEN,
    age: float = 60.0,
    lang: str = "fr",
    **extra: str,
) -> str:
    """Init data as Telegram builds it: the fields URL-encoded, signed with `token`,
    `auth_date` `age` seconds ago."""
    user = {"id": user_id, "first_name": f"User{user_id}", "language_code": lang}
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(int(time.time() - age)),
        **extra,
    }
    return urlencode({**fields, "hash": sign_init_data(fields, token)})


def tma(user_id: int, **options: Any) -> dict[str, str]:
    return {"Authorization": f"tma {init_data(user_id, **options)}"}


@dataclass
class Team:
    shop: Shop
    owner: Member
    agent: Member


async def make_team(slug: str = "shop", lang: str = "fr") -> Team:
    shop = await make_shop(slug, lang=lang)
    owner = await Member.create(
        store=shop.store, telegram_user_id=OWNER_ID, role="owner", name="Nadia"
    )
    agent = await Member.create(
        store=shop.store, telegram_user_id=AGENT_ID, role="agent", name="Yacine"
    )
    return Team(shop, owner, agent)
