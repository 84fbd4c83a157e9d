"""The product being added with /addproduct: reading each answer as people type it, the
questions and summary the bot shows, and its photo (bot/addproduct.py runs the
conversation).

Answers are read leniently: Arabic-Indic digits, thousands grouped with spaces or dots,
a currency after the price, Arabic commas and semicolons between variant values.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, PhotoSize
from telegram.error import TelegramError

from bot.callbacks import FormAction, form_button
from bot.i18n import N_, money, translator
from i18n import group_thousands
from models.catalog import products

log = logging.getLogger(__name__)

NAME, PRICE, VARIANTS, STOCK, PHOTO, CONFIRM = range(6)
MAX_NAME, MAX_OPTION, MAX_VALUE = 160, 40, 60
MAX_COMBINATIONS = 50
SHOWN, LABEL_CHARS = 15, 60
NO_VARIANTS = frozenset({"-", "–", "—"})
MAX_PHOTO = 5 * 1024 * 1024
JPEG = b"\xff\xd8\xff"
TOO_LARGE = N_("This photo is larger than 5 MB. Send a smaller one, or /skip.")

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_CURRENCY = re.compile(r"(?:dzd|da|dinars?|د\.?\s?ج|دينار)\.?$", re.IGNORECASE)
_OPTIONS = re.compile(r"[;\n؛]")  # between options
_VALUES = re.compile(r"[,،]")  # between the values of one option
_STOCKS = re.compile(r"[,;\n،؛]")


class Unreadable(ValueError):
    """An answer the bot cannot use: `message` (an English msgid) says what is expected."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message, self.params = message, params


def _number(text: str, separators: str) -> int | None:
    """A whole number as typed: `4500`, `4 500`, `4.500 DA`, `٤٥٠٠ دج`; None otherwise."""
    text = re.sub(r"\s+", " ", text.translate(_DIGITS)).strip()
    text = _CURRENCY.sub("", text).strip()
    sep = "[" + re.escape(separators) + "]"
    if not re.fullmatch(rf"[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]{{1,9}}", text):
        return None
    return int(re.sub(r"[^0-9]", "", text))


def parse_name(text: str) -> str:
    name = " ".join(text.split())
    if not 1 <= len(name) <= MAX_NAME:
        raise Unreadable(N_("A name has 1 to 160 characters. Send the name again."))
    return name


def parse_price(text: str) -> int:
    price = _number(text, " .,'\u066c")
    if price is None or not 1 <= price <= products.MAX_PRICE:
        raise Unreadable(
            N_(
                "Send the price as a whole number of dinars up to %(max)s, "
                "for example 4500 or 4 500 DA."
            ),
            max=group_thousands(products.MAX_PRICE),
        )
    return price


def _option(part: str) -> tuple[str, list[str]]:
    """`Taille=M,L,XL` (or `Taille: M, L, XL`) → ("Taille", ["M", "L", "XL"])."""
    name, sep, raw = part.partition("=" if "=" in part else ":")
    name = name.strip()
    values = list(dict.fromkeys(v.strip() for v in _VALUES.split(raw) if v.strip()))
    if not sep or not name or not values:
        raise Unreadable(
            N_(
                "I could not read “%(part)s”: write the option, =, then its values "
                "separated by commas, for example Size=M,L,XL."
            ),
            part=part[:80],
        )
    if len(name) > MAX_OPTION or any(len(v) > MAX_VALUE for v in values):
        raise Unreadable(N_("An option name has at most 40 characters, and a value at most 60."))
    return name, values


def parse_variants(text: str) -> list[dict[str, str]]:
    """`Taille=M,L; Couleur=Rouge,Noir` → every combination in order; `-` → [] (the product
    has one plain variant)."""
    if text.strip() in NO_VARIANTS:
        return []
    options: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in _OPTIONS.split(text))):
        name, values = _option(part)
        if name.casefold() in {known.casefold() for known in options}:
            raise Unreadable(N_("The option %(name)s is given twice."), name=name)
        options[name] = values
    if not options:
        raise Unreadable(N_("Write the options and their values, or send - for none."))
    count = math.prod(len(values) for values in options.values())
    if count > MAX_COMBINATIONS:
        raise Unreadable(
            N_("That makes %(count)s variants; at most %(max)s. Send fewer values."),
            count=count,
            max=MAX_COMBINATIONS,
        )
    return [
        dict(zip(options, combo, strict=True)) for combo in itertools.product(*options.values())
    ]


def parse_stocks(text: str, count: int) -> list[int]:
    """One number for all `count` variants, or one per variant separated by commas (a space
    only groups thousands: `1 000`)."""
    numbers = [_number(p, " \u066c") for p in _STOCKS.split(text) if p.strip()]
    valid = [n for n in numbers if n is not None and n <= products.MAX_STOCK]
    if not numbers or len(valid) != len(numbers) or len(valid) not in (1, count):
        if count == 1:
            raise Unreadable(N_("Send the number in stock, for example 10."))
        raise Unreadable(
            N_(
                "Send one number for all %(count)s variants, or %(count)s numbers "
                "separated by commas."
            ),
            count=count,
        )
    return valid * count if len(valid) == 1 else valid


# --- the draft and what the bot shows of it ------------------------------------------------


@dataclass
class Draft:
    store_id: int
    lang: str
    # In the summary's buttons: a press on an older summary saves nothing.
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    name: str = ""
    price: int = 0
    combos: list[dict[str, str]] = field(default_factory=list)  # [] = one plain variant
    stocks: list[int] = field(default_factory=list)
    photo: bytes | None = None
    finished: bool = False  # its summary was shown: Save would add it
    kept_once: bool = False  # a second /addproduct was told it would drop it

    def take(self, state: int, text: str) -> None:
        """Read the answer to a step's question into the draft; raises Unreadable."""
        if state == NAME:
            self.name = parse_name(text)
        elif state == PRICE:
            self.price = parse_price(text)
        elif state == VARIANTS:
            self.combos = parse_variants(text)
        elif state == STOCK:
            self.stocks = parse_stocks(text, max(1, len(self.combos)))

    def specs(self) -> list[products.VariantSpec]:
        combos = self.combos or [{}]
        return [
            products.VariantSpec(dict(options), None, stock)
            for options, stock in zip(combos, self.stocks, strict=True)
        ]


def label(options: dict[str, str]) -> str:
    """`Taille: M / Couleur: Rouge`, as Variant.label() shows it; plain text."""
    text = " / ".join(f"{k}: {v}" for k, v in options.items())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _stock_question(d: Draft) -> str:
    _ = translator(d.lang)
    if not d.combos:
        return _("How many are in stock?")
    ask = _(
        "How many of each are in stock? Send one number for all %(count)s variants, or one "
        "number per variant separated by commas, in this order:",
        count=len(d.combos),
    )
    return "\n".join([ask, *(f"{i}. {escape(label(o))}" for i, o in enumerate(d.combos, 1))])


def question(state: int, d: Draft) -> str:
    """The question of a step (HTML)."""
    _ = translator(d.lang)
    if state == NAME:
        return _("What is the product's name?")
    if state == PRICE:
        name = f"<b>{escape(d.name)}</b>"
        return _("Price of %(name)s in dinars? For example 4500 or 4 500 DA.", name=name)
    if state == VARIANTS:
        example = escape(_("Size=M,L,XL; Colour=Red,Black"))
        intro = _("Variants? Write each option with its values, for example:")
        return f"{intro}\n<code>{example}</code>\n" + _("Send - if the product has no variants.")
    if state == STOCK:
        return _stock_question(d)
    if state == PHOTO:
        return _("Send a photo of the product, or /skip.")
    return _("Press Save or Cancel under the summary.")


def summary(d: Draft) -> str:
    """What will be saved (HTML)."""
    _ = translator(d.lang)
    lines = [
        "🆕 <b>" + escape(_("New product")) + "</b>",
        _("Name: %(name)s", name=f"<b>{escape(d.name)}</b>"),
        _("Price: %(price)s", price=money(d.price, d.lang)),
    ]
    if d.combos:
        lines.append(_("Variants: %(count)s", count=len(d.combos)))
        pairs = list(zip(d.combos, d.stocks, strict=True))
        lines += [f"• {escape(label(options))} — {stock}" for options, stock in pairs[:SHOWN]]
        if len(pairs) > SHOWN:
            lines.append(_("… and %(count)s more", count=len(pairs) - SHOWN))
    else:
        lines.append(_("Stock: %(count)s", count=d.stocks[0]))
    lines.append(_("Photo: added") if d.photo else _("Photo: none"))
    return "\n".join(lines)


def summary_keyboard(d: Draft) -> InlineKeyboardMarkup:
    _ = translator(d.lang)
    save = InlineKeyboardButton(
        "✅ " + _("Save"), callback_data=form_button(d.token, FormAction.SAVE)
    )
    cancel = InlineKeyboardButton(
        "✖️ " + _("Cancel"), callback_data=form_button(d.token, FormAction.CANCEL)
    )
    return InlineKeyboardMarkup([[save, cancel]])


# --- the photo -----------------------------------------------------------------------------


def largest_fitting(sizes: Sequence[PhotoSize]) -> PhotoSize | None:
    """The largest size Telegram made of the photo that is within the limit."""
    fitting = [s for s in sizes if (s.file_size or 0) <= MAX_PHOTO]
    return max(fitting, key=lambda s: (s.width * s.height, s.file_size or 0), default=None)


async def download(bot: Bot, size: PhotoSize) -> bytes | str:
    """The photo's bytes, or why not (an English msgid)."""
    try:
        file = await bot.get_file(size.file_id)
        if (file.file_size or 0) > MAX_PHOTO:
            return TOO_LARGE
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("photo download failed error=%s", exc)
        return N_("I could not download this photo. Send it again, or /skip.")
    if len(data) > MAX_PHOTO:
        return TOO_LARGE
    if not data.startswith(JPEG):  # served as image/jpeg; Telegram's photos are JPEG
        return N_("I could not read this photo. Send another one, or /skip.")
    return data


def write_photo(root: Path, slug: str, data: bytes) -> str:
    """Store the photo under a fresh random name; returns its address on the storefront."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    partial = folder / f".{name}.part"  # never served: the media route wants hex names
    partial.write_bytes(data)
    partial.replace(folder / name)
    return f"/media/{slug}/{name}"


def remove_photo(root: Path, address: str) -> None:
    slug, name = address.removeprefix("/media/").split("/", 1)
    (root / slug / name).unlink(missing_ok=True)
