"""Checks of a CCCD number (số định danh cá nhân, 12 digits) against the holder's birth data.

Structure (Thông tư 07/2016/TT-BCA, Điều 7, and its appendix of codes; kept by Thông tư
59/2021/TT-BCA, Điều 7, which replaced it, and by the 2023 Law on Identification, Điều 12):

- digits 1–3: code of the province (or country) where the BIRTH WAS REGISTERED. The codes follow the
  63 provinces as they were in 2016, not the 34 provinces of 1/7/2025, and not where the person
  lives today: a person born in Bắc Kạn keeps 006 after the merger into Thái Nguyên.
- digit 4: gender and century of birth: 0/1 male/female born 1900–1999, 2/3 2000–2099,
  4/5 2100–2199, 6/7 2200–2299, 8/9 2300–2399.
- digits 5–6: the last two digits of the year of birth.
- digits 7–12: a random number.

Sources consulted: the appendix "Danh mục mã tỉnh, thành phố trực thuộc trung ương nơi công dân
đăng ký khai sinh" of Thông tư 07/2016/TT-BCA (reproduced by thanhphohaiphong.gov.vn, 9/12/2019,
"3 số đầu thẻ căn cước thể hiện nơi sinh công dân"); Thông tư 59/2021/TT-BCA, Điều 7.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Province codes of the place of birth registration (Thông tư 07/2016/TT-BCA, appendix 1).
PROVINCE_OF_BIRTH_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
assert len(PROVINCE_OF_BIRTH_CODES) == 63

MALE = "nam"
FEMALE = "nu"


@dataclass(frozen=True)
class CccdInfo:
    number: str
    province_code: str
    province_name: str
    gender: str  # "nam" | "nu"
    century_start: int  # 1900, 2000, ...
    year_two_digits: int


def gender_century_digit(*, gender: str, year: int) -> int:
    """The 4th digit a person of this gender born in this year must have."""
    century_index = (year - 1900) // 100
    return century_index * 2 + (1 if gender == FEMALE else 0)


def cccd_parse(number: str) -> CccdInfo:
    """Check the form of the number alone (length, digits, province code) and decode it."""
    number = (number or "").strip().replace(" ", "")
    if not number.isdigit() or len(number) != 12 or not number.isascii():
        raise ValidationError(
            _("Số CCCD phải gồm đúng 12 chữ số (bạn đã nhập %(n)d ký tự). Hãy nhập lại theo thẻ căn cước.")
            % {"n": len(number)},
            code="cccd_format",
        )
    province_code = number[:3]
    if province_code not in PROVINCE_OF_BIRTH_CODES:
        raise ValidationError(
            _("Số CCCD: 3 chữ số đầu “%(code)s” không phải mã tỉnh nơi đăng ký khai sinh. "
              "Hãy kiểm tra lại số trên thẻ căn cước.") % {"code": province_code},
            code="cccd_province",
        )
    digit4 = int(number[3])
    return CccdInfo(
        number=number,
        province_code=province_code,
        province_name=PROVINCE_OF_BIRTH_CODES[province_code],
        gender=FEMALE if digit4 % 2 else MALE,
        century_start=1900 + (digit4 // 2) * 100,
        year_two_digits=int(number[4:6]),
    )


def cccd_validate(*, number: str, date_of_birth: dt.date | None, gender: str | None) -> CccdInfo:
    """Check the number and its consistency with the date of birth and gender.

    Raises a ValidationError keyed by field ("cccd", "date_of_birth", "gender") with Vietnamese messages
    that say which digit is wrong.
    """
    errors: dict[str, list[str]] = {}
    try:
        info = cccd_parse(number)
    except ValidationError as exc:
        raise ValidationError({"cccd": exc.messages}) from exc
    if gender not in (MALE, FEMALE):
        errors.setdefault("gender", []).append(_("Giới tính: hãy chọn Nam hoặc Nữ."))
    if date_of_birth is None:
        errors.setdefault("date_of_birth", []).append(_("Ngày sinh: hãy nhập ngày sinh theo dạng dd/mm/yyyy."))
    elif date_of_birth > dt.date.today():
        errors.setdefault("date_of_birth", []).append(_("Ngày sinh không thể ở tương lai."))
    elif date_of_birth.year < 1900:
        errors.setdefault("date_of_birth", []).append(_("Ngày sinh: năm sinh phải từ 1900 trở đi."))
    if errors:
        raise ValidationError(errors)
    expected4 = gender_century_digit(gender=gender, year=date_of_birth.year)
    if int(number.strip()[3]) != expected4:
        raise ValidationError({"cccd": [
            _("Số CCCD: chữ số thứ 4 là “%(got)s” nhưng với giới tính %(gender)s, sinh năm %(year)d thì phải là "
              "“%(want)d”. Chữ số thứ 4 không khớp với giới tính/năm sinh: hãy kiểm tra lại số CCCD, giới tính "
              "và ngày sinh.")
            % {"got": number.strip()[3], "gender": _("Nam") if gender == MALE else _("Nữ"),
               "year": date_of_birth.year, "want": expected4}
        ]})
    if info.year_two_digits != date_of_birth.year % 100:
        raise ValidationError({"cccd": [
            _("Số CCCD: chữ số thứ 5 và 6 là “%(got)s” nhưng phải là 2 số cuối của năm sinh (“%(want)02d” "
              "cho năm %(year)d). Hãy kiểm tra lại số CCCD và ngày sinh.")
            % {"got": number.strip()[4:6], "want": date_of_birth.year % 100, "year": date_of_birth.year}
        ]})
    return info
