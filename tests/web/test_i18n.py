"""English as the second language: pages and API errors in English when asked, Vietnamese by default,
and a catalog that is complete, keeps every placeholder and is compiled (.mo matches .po)."""
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOG_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "django.po"
MO_PATH = CATALOG_DIR / "django.mo"

# page -> ([English strings a reader must see], [their Vietnamese originals])
PAGES = {
    "/": (
        ["public service portal", "Find a procedure, submit a dossier", "Look up a dossier",
         "Working calendar"],
        ["Cổng dịch vụ công của tỉnh", "Tìm thủ tục, nộp hồ sơ", "Tra cứu hồ sơ", "Lịch làm việc"],
    ),
    "/xa-phuong/": (
        ["communes and wards of", "Find a commune or ward", "List of communes and wards"],
        ["xã, phường của", "Tìm xã, phường", "Danh sách xã, phường"],
    ),
    "/lich-lam-viec/": (
        ["Working calendar for", "Change month", "Days off and make-up working days"],
        ["Lịch làm việc tháng", "Chuyển tháng", "Ngày nghỉ và ngày làm bù"],
    ),
    "/thu-tuc/": (
        ["Administrative procedures", "All fields", "Type with or without diacritics"],
        ["Thủ tục hành chính", "Tất cả lĩnh vực", "Gõ có dấu hoặc không dấu"],
    ),
    "/tai-khoan/login/": (
        ["Citizen sign-in", "Forgotten your password?", "Register a citizen account"],
        ["Đăng nhập công dân", "Quên mật khẩu?", "Đăng ký tài khoản công dân"],
    ),
}

DUE_WITH_NEGATIVE_DAYS = "/api/v1/calendar/due?working_days=-1&received=2026-02-13T10:00%2B07:00"


def _choose_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
def test_page_is_in_english_after_the_language_switch(client, url):
    _choose_english(client)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    english, vietnamese = PAGES[url]
    for text in english:
        assert text in html, f"{url}: missing English text {text!r}"
    for text in vietnamese:
        assert text not in html, f"{url}: Vietnamese text {text!r} left on the English page"


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
def test_page_is_in_vietnamese_by_default(client, url):
    html = client.get(url).content.decode()
    assert '<html lang="vi">' in html
    english, vietnamese = PAGES[url]
    for text in vietnamese:
        assert text in html, f"{url}: missing Vietnamese text {text!r}"
    for text in english:
        assert text not in html, f"{url}: English text {text!r} on the Vietnamese page"


@pytest.mark.django_db
def test_api_validation_error_is_in_english_for_an_english_client(client):
    response = client.get(DUE_WITH_NEGATIVE_DAYS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [{"field": "working_days", "message": "Field “working_days” must not be negative."}]
    assert "số âm" not in response.content.decode("unicode_escape")


@pytest.mark.django_db
def test_api_validation_error_is_in_vietnamese_by_default(client):
    response = client.get(DUE_WITH_NEGATIVE_DAYS)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "working_days", "message": "Trường “working_days” không được là số âm."}
    ]


def test_every_catalog_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO_PATH))
    assert po.metadata.get("Language") == "en"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


PLACEHOLDER = re.compile(r"%%|%\([A-Za-z_0-9]+\)[-+ #0-9.]*[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}")


def _placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def test_translations_keep_every_placeholder():
    """A lost or renamed %(name)s would crash the page or show the wrong value to the reader."""
    broken = []
    for entry in polib.pofile(str(PO_PATH)).translated_entries():
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        broken += [(src, dst) for src, dst in pairs if _placeholders(src) != _placeholders(dst)]
    assert broken == []


def _messages(catalog):
    out = {}
    for entry in catalog:
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        out[key] = (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else ())
    return out


def test_compiled_mo_is_up_to_date_with_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    polib.pofile(str(PO_PATH)).save_as_mofile(str(fresh))
    assert MO_PATH.exists(), "run scripts/compile_messages.py"
    assert _messages(polib.mofile(str(MO_PATH))) == _messages(polib.mofile(str(fresh))), (
        "django.mo is stale: run scripts/compile_messages.py"
    )
