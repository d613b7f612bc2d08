"""Fixed words of a page built in Python (web/portal/track_html.py, web/feedback/report_html.py), translated
once per language instead of at every request (they were most of those pages' gettext calls)."""
from __future__ import annotations

import functools

from django.utils.translation import get_language


def per_language(build):
    """Decorate `build() -> dict`: its result is kept for each active language and given again after."""
    kept: dict[str, dict] = {}

    @functools.wraps(build)
    def words() -> dict:
        lang = get_language() or ""
        found = kept.get(lang)
        if found is None:
            found = kept[lang] = build()
        return found

    return words
