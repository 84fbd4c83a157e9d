"""Languages shared by every adapter that talks to people: Babel catalogues compiled in
memory, and dinars as Algerians read them. A leaf: it imports nothing of the project."""

from i18n.catalogue import LANGS, Catalogues, Translator, compile_catalogue
from i18n.money import format_dinars, group_thousands

__all__ = [
    "LANGS",
    "Catalogues",
    "Translator",
    "compile_catalogue",
    "format_dinars",
    "group_thousands",
]
