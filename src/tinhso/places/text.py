"""Diacritics-insensitive search keys for Vietnamese names ("Phường Phan Đình Phùng" → "phuong phan dinh phung")."""
from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def search_key(text: str | None) -> str:
    """Lower-case, strip diacritics (đ → d), keep letters and digits separated by single spaces."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()
