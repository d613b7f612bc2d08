"""allauth's pages and messages in Vietnamese (src/tinhso/locale/vi: allauth ships no Vietnamese catalogue),
and in English when the person chose English; the vi catalogue itself: complete, placeholders kept, compiled,
and without effect on tinhso's own (Vietnamese) msgids or on Django's own Vietnamese translations."""
import datetime as dt
import html as html_lib
import re
from pathlib import Path

import allauth
import polib
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from tinhso.people.models import Official, OfficialRole, Role, User
from tinhso.places.models import Agency, Province

LOCALE = Path(settings.LOCALE_PATHS[0])
VI_PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
VI_MO = LOCALE / "vi" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
ALLAUTH_PO = Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
PASSWORD = "Mat-khau-rat-manh-2025"


# --- the catalogue ------------------------------------------------------------------------------------------

def _key(entry):
    return entry.msgctxt, entry.msgid, entry.msgid_plural


def _msgstrs(entry):
    return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)] if entry.msgid_plural else [entry.msgstr]


@pytest.fixture(scope="module")
def vi():
    return polib.pofile(str(VI_PO))


def test_vi_catalog_translates_every_allauth_message_and_nothing_of_tinhso(vi):
    assert vi.metadata["Language"] == "vi"
    assert vi.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    allauth_keys = {_key(e) for e in polib.pofile(str(ALLAUTH_PO)) if not e.obsolete}
    ours = {_key(e): e for e in vi}
    assert sorted(allauth_keys - set(ours), key=str) == [], "allauth messages missing from the vi catalogue"
    # Besides allauth's, only Django strings that Django's own vi catalogue lacks (each says where it comes from).
    extra = [k for k in set(ours) - allauth_keys if not ours[k].occurrences[0][0].startswith("django/")]
    assert extra == []
    tinhso_msgids = {e.msgid for e in polib.pofile(str(EN_PO))}
    assert [e.msgid for e in vi if e.msgid in tinhso_msgids] == []


def test_vi_catalog_has_no_empty_fuzzy_or_obsolete_entry_and_nothing_left_in_english(vi):
    assert [e.msgid for e in vi.untranslated_entries()] == []
    assert [e.msgid for e in vi.fuzzy_entries()] == []
    assert [e.msgid for e in vi.obsolete_entries()] == []
    for entry in vi:
        assert len(_msgstrs(entry)) == 1, entry.msgid  # Vietnamese has one plural form
        assert all(s.strip() and s != entry.msgid for s in _msgstrs(entry)), entry.msgid


PLACEHOLDER = re.compile(r"%%|%\([A-Za-z_0-9]+\)[-+ #0-9.]*[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def test_vi_translations_keep_every_placeholder_and_html_tag(vi):
    """A lost %(email)s or {number} would crash the page or show the wrong value; a lost <a href> a dead link."""
    broken = []
    for entry in vi:
        (msgstr,) = _msgstrs(entry)
        for source in filter(None, [entry.msgid, entry.msgid_plural]):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(msgstr)):
                broken.append((source, msgstr))
            if sorted(TAG.findall(source)) != sorted(TAG.findall(msgstr)):
                broken.append((source, msgstr))
            if source.startswith("\n") != msgstr.startswith("\n") or source.endswith("\n") != msgstr.endswith("\n"):
                broken.append((source, msgstr))
    assert broken == []


def test_vi_compiled_mo_is_up_to_date_with_the_po(vi, tmp_path):
    assert VI_MO.exists(), "run scripts/compile_messages.py"
    fresh = tmp_path / "django.mo"
    vi.save_as_mofile(str(fresh))

    def messages(catalog):
        return {_key(e): tuple(_msgstrs(e)) for e in catalog}

    assert messages(polib.mofile(str(VI_MO))) == messages(polib.mofile(str(fresh))), (
        "django.mo is stale: run scripts/compile_messages.py")


def test_vi_catalog_does_not_change_django_or_tinhso_translations(vi, settings):
    """LOCALE_PATHS catalogues win over Django's and the apps' own: where Django (admin, auth, forms...) already
    says something in Vietnamese, ours says exactly the same; tinhso's Vietnamese msgids stay as written."""
    settings.LOCALE_PATHS = []  # Django's and the installed apps' vi catalogues only (caches are reset)
    django_vi = trans_real.DjangoTranslation("vi")
    changed = []
    for entry in vi:
        (ours,) = _msgstrs(entry)
        lookup = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        theirs = django_vi.ngettext(lookup, entry.msgid_plural, 1) if entry.msgid_plural else django_vi.gettext(lookup)
        if theirs not in (lookup, entry.msgid_plural) and theirs != ours:
            changed.append((entry.msgid, theirs, ours))
    assert changed == []
    settings.LOCALE_PATHS = [LOCALE]
    with translation.override("vi"):
        assert translation.gettext("Save") == "Lưu lại"  # Django admin's own wording, kept
        assert translation.gettext("Recovery Codes") == "Mã khôi phục"
        # tinhso's own msgids (Vietnamese) read as without our catalogue: as written, or as Django says ("English").
        tinhso_changed = [e.msgid for e in polib.pofile(str(EN_PO)) if not (e.msgctxt or e.msgid_plural)
                          and translation.gettext(e.msgid) != django_vi.gettext(e.msgid)]
    assert tinhso_changed == []


# --- the pages ----------------------------------------------------------------------------------------------

def _visible_text(html):
    """What a reader sees or hears: text (title included), and placeholders, labels and alternative texts."""
    attributes = re.findall(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"', html)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", " ".join([text, *attributes]))


def _allauth_english():
    """allauth's English messages long enough to be unmistakable (placeholders cut out)."""
    out = set()
    for entry in polib.pofile(str(ALLAUTH_PO)):
        for source in filter(None, [entry.msgid, entry.msgid_plural]):
            for part in PLACEHOLDER.split(TAG.sub("", source)):
                part = re.sub(r"\s+", " ", part).strip(" .:,?!")
                if len(part) >= 14:
                    out.add(part)
    return out


def _our_vietnamese():
    out = set()
    for entry in polib.pofile(str(VI_PO)):
        for part in PLACEHOLDER.split(TAG.sub("", _msgstrs(entry)[0])):
            part = re.sub(r"\s+", " ", part).strip(" .:,?!")
            if len(part) >= 14:
                out.add(part)
    return out


ALLAUTH_ENGLISH = _allauth_english()
OUR_VIETNAMESE = _our_vietnamese()


def _check(response, lang, pairs):
    """The page is in `lang`: every expected text there, none of the other language's, and no message of
    allauth left in English on a Vietnamese page (nor a Vietnamese one of our catalogue on an English page)."""
    assert response.status_code == 200
    html = response.content.decode()
    text = _visible_text(html)
    assert f'<html lang="{lang}">' in html
    wanted = [vi if lang == "vi" else en for vi, en in pairs]
    unwanted = [en if lang == "vi" else vi for vi, en in pairs]
    assert [t for t in wanted if t not in text] == [], text
    assert [t for t in unwanted if t in text] == [], text
    stray = ALLAUTH_ENGLISH if lang == "vi" else OUR_VIETNAMESE
    assert sorted(t for t in stray if t in text) == [], text
    return text


def _citizen():
    user = User.objects.create_user(username="019090123456", cccd="019090123456", password=PASSWORD,
                                    email="an@example.vn", full_name="Nguyễn Văn An", date_of_birth=dt.date(1990, 9, 5),
                                    gender="nam", phone="0912345678", kind=User.Kind.CITIZEN)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _official_with_totp():
    province = Province.objects.get_or_create(code="19", defaults={"name": "Thái Nguyên", "type": "tinh"})[0]
    agency = Agency.objects.get_or_create(code="000.91.01.H56", defaults={
        "name": "UBND phường A (thử)", "kind": Agency.Kind.COMMUNE_PC, "province": province})[0]
    user = User.objects.create_user(username="chuyen.vien", password=PASSWORD, email="chuyen.vien@tinhso.test",
                                    full_name="Trần Thị Bình", kind=User.Kind.OFFICIAL)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    OfficialRole.objects.create(official=Official.objects.create(user=user, agency=agency), role=Role.SPECIALIST)
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    return user


def _choose(client, lang):
    if lang == "en":
        assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302


def _sign_in(client, user):
    """A real sign-in (the flash message comes from it), then the password again for the pages that ask it."""
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD}, follow=True)
    assert "_auth_user_id" in client.session
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return response


def _force_sign_in(client, user):
    """Signed in without the TOTP step (the TOTP sign-in itself is tested in tests/people), then the password
    again for the pages that ask it."""
    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


MFA_OFF = [
    ("Xác thực hai lớp", "Two-Factor Authentication"),
    ("Ứng dụng xác thực", "Authenticator App"),
    ("Chưa bật ứng dụng xác thực.", "An authenticator app is not active."),
    ("Mã khôi phục", "Recovery Codes"),
    ("Chưa có mã khôi phục.", "No recovery codes set up."),
]
MFA_ON = [
    ("Xác thực hai lớp", "Two-Factor Authentication"),
    ("Xác thực bằng ứng dụng xác thực đang bật.", "Authentication using an authenticator app is active."),
    ("Còn 10 trên 10 mã khôi phục chưa dùng.", "There are 10 out of 10 recovery codes available."),
    ("Tạo bộ mã mới", "Generate"),
]
PASSWORD_CHANGE = [
    ("Đổi mật khẩu", "Change Password"),
    ("Mật khẩu hiện tại", "Current Password"),
    ("Nhập lại mật khẩu mới", "New Password (again)"),
    ("Quên mật khẩu?", "Forgot your password?"),
]
EMAILS = [
    ("Địa chỉ thư điện tử", "Email Addresses"),
    ("Các địa chỉ thư điện tử sau đang gắn với tài khoản của bạn:",
     "The following email addresses are associated with your account:"),
    ("Đã xác nhận", "Verified"),
    ("Đặt làm địa chỉ chính", "Make Primary"),
    ("Gửi lại thư xác nhận", "Re-send Verification"),
    ("Thêm địa chỉ thư điện tử", "Add Email Address"),
]
RECOVERY_CODES = [
    ("Mã khôi phục", "Recovery codes"),
    ("Các mã chưa dùng", "Unused codes"),
    ("Tạo bộ mã mới", "Generate new codes"),
]
GENERATE_CODES = [
    ("Bạn sắp tạo một bộ mã khôi phục mới cho tài khoản của mình.",
     "You are about to generate a new set of recovery codes for your account."),
    ("Các mã hiện có sẽ không dùng được nữa.", "This action will invalidate your existing codes."),
]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_citizen_account_pages_and_messages_in_the_chosen_language(client, lang):
    citizen = _citizen()
    _choose(client, lang)
    response = client.post(reverse("account_login"), {"login": citizen.username, "password": "sai-mat-khau-0"})
    _check(response, lang, [("Số CCCD (hoặc tên đăng nhập) hoặc mật khẩu không đúng.",
                             "The citizen ID (CCCD) number (or username) or the password is incorrect.")])
    _check(_sign_in(client, citizen), lang, [("Đăng nhập thành công với tài khoản Nguyễn Văn An.",
                                              "Successfully signed in as Nguyễn Văn An.")])

    _check(client.get(reverse("mfa_index")), lang, MFA_OFF)
    _check(client.get(reverse("account_change_password")), lang, PASSWORD_CHANGE)
    _check(client.get(reverse("account_email")), lang, EMAILS)

    # Form errors and refusals.
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": "sai-mat-khau-0", "password1": "ngan", "password2": "ngan"})
    _check(response, lang, [*PASSWORD_CHANGE,
                            ("Mật khẩu hiện tại: hãy nhập mật khẩu bạn đang dùng.",
                             "Current password: enter the password you use now."),
                            ("Mật khẩu này quá ngắn: cần ít nhất 10 ký tự.",
                             "This password is too short. It must contain at least 10 characters.")])
    response = client.post(reverse("account_email"), {"action_add": "", "email": "an@example.vn"})
    _check(response, lang, [*EMAILS, ("Địa chỉ thư điện tử này đã gắn với tài khoản của bạn.",
                                      "This email address is already associated with this account.")])

    # Flash messages of successful changes.
    new_password = "Mat-khau-moi-rat-manh-2026"
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password}, follow=True)
    _check(response, lang, [("Đổi mật khẩu thành công.", "Password successfully changed.")])
    citizen.refresh_from_db()
    assert citizen.check_password(new_password)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "an.moi@example.vn"}, follow=True)
    _check(response, lang, [("Đã gửi thư xác nhận tới an.moi@example.vn.", "Confirmation email sent to an.moi@example.vn.")])

    response = client.post(reverse("account_logout"), follow=True)
    _check(response, lang, [("Bạn đã đăng xuất.", "You have signed out.")])
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_citizen_two_factor_and_recovery_code_pages_in_the_chosen_language(client, lang):
    citizen = _citizen()
    TOTP.activate(citizen, generate_totp_secret())
    RecoveryCodes.activate(citizen)
    _choose(client, lang)
    _force_sign_in(client, citizen)

    text = _check(client.get(reverse("mfa_index")), lang, MFA_ON)
    assert ("Tắt" if lang == "vi" else "Deactivate") in text  # a citizen may turn the app off
    _check(client.get(reverse("mfa_view_recovery_codes")), lang, RECOVERY_CODES)
    _check(client.get(reverse("mfa_generate_recovery_codes")), lang, GENERATE_CODES)
    _check(client.get(reverse("mfa_deactivate_totp")), lang, [
        ("Tắt ứng dụng xác thực", "Deactivate Authenticator App"),
        ("Bạn sắp tắt xác thực bằng ứng dụng xác thực.", "You are about to deactivate authenticator app based authentication."),
    ])
    before = set(RecoveryCodes(Authenticator.objects.get(user=citizen, type=Authenticator.Type.RECOVERY_CODES))
                 .get_unused_codes())
    response = client.post(reverse("mfa_generate_recovery_codes"), follow=True)
    _check(response, lang, RECOVERY_CODES)
    after = RecoveryCodes(Authenticator.objects.get(user=citizen, type=Authenticator.Type.RECOVERY_CODES)).get_unused_codes()
    assert len(after) == 10 and not before & set(after)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_official_two_factor_pages_in_the_chosen_language_and_turning_it_off_refused(client, lang):
    official = _official_with_totp()
    _choose(client, lang)
    _force_sign_in(client, official)

    _check(client.get(reverse("mfa_index")), lang, MFA_ON)
    _check(client.get(reverse("mfa_view_recovery_codes")), lang, RECOVERY_CODES)
    _check(client.get(reverse("account_change_password")), lang, PASSWORD_CHANGE)
    response = client.post(reverse("mfa_deactivate_totp"))
    _check(response, lang, [("Tắt ứng dụng xác thực", "Deactivate Authenticator App"),
                            ("Cán bộ không được tắt xác thực hai lớp.",
                             "Officials may not turn off two-factor authentication.")])
    assert Authenticator.objects.filter(user=official, type=Authenticator.Type.TOTP).exists()
