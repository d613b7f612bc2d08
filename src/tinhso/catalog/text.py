"""Vietnamese text helpers: the diacritics-free search key ("Đăng ký" -> "dang ky")."""
from __future__ import annotations

import re
import unicodedata


def search_key(text: str) -> str:
    """Lower-case, diacritics removed, đ -> d, every run of non-alphanumerics collapsed to one space."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = text.lower()
    return re.sub(r"[^0-9a-z.]+", " ", text).strip()


def search_words(query: str) -> list[str]:
    return [w for w in search_key(query).split(" ") if w]
