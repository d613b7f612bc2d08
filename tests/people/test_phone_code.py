import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tinhso.people import services
from tinhso.people.models import PhoneCode


class Outbox:
    messages: list = []

    def send(self, *, phone, text):
        Outbox.messages.append((phone, text))


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "tests.people.test_phone_code.Outbox"
    Outbox.messages = []
    return Outbox.messages


def sent_code(sms):
    return re.search(r"\b(\d{6})\b", sms[-1][1]).group(1)


@pytest.mark.django_db
def test_code_confirms_the_phone(citizen, sms):
    services.phone_code_send(actor=citizen, phone="+84 987 654 321")
    assert sms[-1][0] == "0987654321"
    code = sent_code(sms)
    stored = PhoneCode.objects.get(user=citizen)
    assert code not in stored.code_hash  # stored hashed
    services.phone_code_confirm(actor=citizen, code=code)
    citizen.refresh_from_db()
    assert citizen.phone == "0987654321" and citizen.phone_verified


@pytest.mark.django_db
def test_expired_code_is_refused(citizen, sms):
    services.phone_code_send(actor=citizen)
    PhoneCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="hết hạn"):
        services.phone_code_confirm(actor=citizen, code=sent_code(sms))
    citizen.refresh_from_db()
    assert not citizen.phone_verified


@pytest.mark.django_db
def test_code_lives_five_minutes(citizen, sms):
    pc = services.phone_code_send(actor=citizen)
    assert pc.expires_at - pc.created_at == pytest.approx(dt.timedelta(minutes=5), abs=dt.timedelta(seconds=1))


@pytest.mark.django_db
def test_wrong_codes_count_and_five_lock_the_code(citizen, sms):
    services.phone_code_send(actor=citizen)
    good = sent_code(sms)
    wrong = "000000" if good != "000000" else "111111"
    for i in range(5):
        with pytest.raises(ValidationError, match="không đúng"):
            services.phone_code_confirm(actor=citizen, code=wrong)
        assert PhoneCode.objects.get().attempts == i + 1
    with pytest.raises(ValidationError, match="quá 5 lần"):
        services.phone_code_confirm(actor=citizen, code=good)
    citizen.refresh_from_db()
    assert not citizen.phone_verified


@pytest.mark.django_db
def test_new_code_replaces_the_old_one(citizen, sms):
    services.phone_code_send(actor=citizen)
    old = sent_code(sms)
    services.phone_code_send(actor=citizen)
    if old != sent_code(sms):
        with pytest.raises(ValidationError):
            services.phone_code_confirm(actor=citizen, code=old)
    services.phone_code_confirm(actor=citizen, code=sent_code(sms))


@pytest.mark.django_db
def test_bad_phone_and_malformed_code(citizen, sms):
    with pytest.raises(ValidationError, match="Số điện thoại"):
        services.phone_code_send(actor=citizen, phone="12345")
    with pytest.raises(ValidationError, match="6 chữ số"):
        services.phone_code_confirm(actor=citizen, code="12ab")
    assert not PhoneCode.objects.exists() and not sms


@pytest.mark.django_db
def test_sending_is_limited_per_hour(citizen, sms):
    for _ in range(5):
        services.phone_code_send(actor=citizen)
    with pytest.raises(ValidationError, match="quá nhiều"):
        services.phone_code_send(actor=citizen)
    assert len(sms) == 5
