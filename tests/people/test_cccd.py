import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tinhso.people.cccd import PROVINCE_OF_BIRTH_CODES, cccd_validate


def errors_of(**kw):
    with pytest.raises(ValidationError) as exc:
        cccd_validate(**kw)
    return exc.value.message_dict


def test_valid_male_born_1990_thai_nguyen():
    info = cccd_validate(number="019090123456", date_of_birth=dt.date(1990, 9, 5), gender="nam")
    assert info.province_name == "Thái Nguyên"


def test_valid_female_born_2001_ha_noi():
    info = cccd_validate(number="001301234567", date_of_birth=dt.date(2001, 3, 2), gender="nu")
    assert info.province_code == "001"


def test_old_bac_kan_code_still_valid_after_merger():
    # Codes follow the place of birth registration in the 63-province list, not today's 34 provinces.
    assert cccd_validate(number="006185000001", date_of_birth=dt.date(1985, 1, 1), gender="nu").province_name == "Bắc Kạn"


def test_sixty_three_province_codes():
    assert len(PROVINCE_OF_BIRTH_CODES) == 63 and "096" in PROVINCE_OF_BIRTH_CODES and "003" not in PROVINCE_OF_BIRTH_CODES


@pytest.mark.parametrize("number", ["01909012345", "0190901234567", "01909012345a", "", "０１９０９０１２３４５６"])
def test_must_be_twelve_ascii_digits(number):
    assert "12 chữ số" in errors_of(number=number, date_of_birth=dt.date(1990, 9, 5), gender="nam")["cccd"][0]


def test_unknown_province_code():
    msg = errors_of(number="003090123456", date_of_birth=dt.date(1990, 9, 5), gender="nam")["cccd"][0]
    assert "3 chữ số đầu" in msg and "003" in msg


def test_fourth_digit_wrong_gender():
    msg = errors_of(number="019190123456", date_of_birth=dt.date(1990, 9, 5), gender="nam")["cccd"][0]
    assert "chữ số thứ 4" in msg and "giới tính/năm sinh" in msg


def test_fourth_digit_wrong_century():
    msg = errors_of(number="019000123456", date_of_birth=dt.date(2000, 1, 1), gender="nam")["cccd"][0]
    assert "chữ số thứ 4" in msg and "“2”" in msg


def test_year_digits_must_match_date_of_birth():
    msg = errors_of(number="019091123456", date_of_birth=dt.date(1990, 9, 5), gender="nam")["cccd"][0]
    assert "chữ số thứ 5 và 6" in msg


def test_gender_and_date_required():
    errs = errors_of(number="019090123456", date_of_birth=None, gender="")
    assert set(errs) == {"gender", "date_of_birth"}


def test_future_date_of_birth_refused():
    errs = errors_of(number="019290123456", date_of_birth=dt.date.today() + dt.timedelta(days=400), gender="nam")
    assert "date_of_birth" in errs
