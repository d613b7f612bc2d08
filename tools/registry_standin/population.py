"""The people the stand-in registry knows: realistic residents of Thái Nguyên, generated deterministically.

CCCD numbers follow Thông tư 07/2016/TT-BCA (see src/tinhso/people/cccd.py): 3 digits of the province where
the birth was registered (019 Thái Nguyên, 006 Bắc Kạn, a few others), 1 digit for gender and century,
2 digits of the year of birth, 6 random digits. Permanent addresses are in real 2025 communes of Thái Nguyên.
"""
from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

# Real communes of Thái Nguyên after 1/7/2025 (code, name).
COMMUNES = [
    ("05443", "Phường Phan Đình Phùng"), ("05710", "Phường Linh Sơn"), ("05500", "Phường Tích Lương"),
    ("05467", "Phường Gia Sàng"), ("05455", "Phường Quyết Thắng"), ("05482", "Phường Quan Triều"),
    ("05503", "Xã Tân Cương"), ("05488", "Xã Đại Phúc"), ("05830", "Xã Đại Từ"), ("05776", "Xã Đức Lương"),
    ("05800", "Xã Phú Thịnh"), ("05818", "Xã La Bằng"), ("05860", "Phường Phổ Yên"),
    ("05890", "Phường Vạn Xuân"), ("05899", "Phường Trung Thành"), ("05908", "Xã Phú Bình"),
    ("05692", "Xã Đồng Hỷ"), ("05518", "Phường Sông Công"), ("05528", "Phường Bách Quang"),
    ("05611", "Xã Phú Lương"), ("05641", "Xã Vô Tranh"),
]
STREETS = ["Đường Hoàng Văn Thụ", "Đường Lương Ngọc Quyến", "Đường Bến Oánh", "Đường Quang Trung",
           "Đường Cách Mạng Tháng Tám", "Đường Phan Đình Phùng", "Đường Thống Nhất", "Đường Z115",
           "Đường Minh Cầu", "Đường Đội Cấn"]
HAMLETS = ["Xóm Đồng Chằm", "Xóm Nam Tân", "Xóm Soi Mít", "Thôn Hồng Thái", "Xóm Cây Thị", "Tổ dân phố 5",
           "Tổ dân phố 12", "Xóm Na Hoàng", "Xóm Làng Mới"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Dương", "Ma", "Nông",
            "Lương", "Triệu", "Hà", "Lý"]
MIDDLE = {"nam": ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Xuân"],
          "nu": ["Thị", "Thu", "Thanh", "Ngọc", "Kim", "Hồng", "Minh"]}
GIVEN = {"nam": ["An", "Bình", "Cường", "Dũng", "Hùng", "Huy", "Khánh", "Long", "Nam", "Phong", "Quân",
                 "Sơn", "Thắng", "Tuấn", "Việt"],
         "nu": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Lan", "Linh", "Mai", "Ngọc", "Nhung",
                "Phương", "Thảo", "Trang"]}
BIRTH_PROVINCES = ["019"] * 7 + ["006"] * 2 + ["001", "024", "008"]


@dataclass(frozen=True)
class Resident:
    cccd: str
    full_name: str
    date_of_birth: dt.date
    gender: str  # "nam" | "nu"
    commune_code: str
    commune_name: str
    street: str

    def permanent_address(self) -> dict:
        return {"street": self.street, "commune_code": self.commune_code, "commune_name": self.commune_name,
                "province_code": "19", "province_name": "Tỉnh Thái Nguyên",
                "text": f"{self.street}, {self.commune_name}, Tỉnh Thái Nguyên"}

    def as_dict(self) -> dict:
        return {"cccd": self.cccd, "full_name": self.full_name, "date_of_birth": self.date_of_birth.isoformat(),
                "gender": self.gender, "permanent_address": self.permanent_address()}


def cccd_for(*, province: str, gender: str, birth: dt.date, serial: int) -> str:
    digit4 = ((birth.year - 1900) // 100) * 2 + (1 if gender == "nu" else 0)
    return f"{province}{digit4}{birth.year % 100:02d}{serial:06d}"


# The demo citizens of `tinhso demo` (src/tinhso/demo/accounts.py) are always there.
DEMO = [
    Resident("019090001234", "Nguyễn Văn An", dt.date(1990, 5, 12), "nam", "05443", "Phường Phan Đình Phùng",
             "Số 12, đường Hoàng Văn Thụ, tổ 8"),
    Resident("019190004321", "Trần Thị Bình", dt.date(1990, 8, 3), "nu", "05443", "Phường Phan Đình Phùng",
             "Số 45, đường Lương Ngọc Quyến, tổ 3"),
]


def residents(count: int = 500, seed: int = 19) -> list[Resident]:
    rng = random.Random(seed)
    people = list(DEMO)
    used = {p.cccd for p in people}
    while len(people) < count + len(DEMO):
        gender = rng.choice(["nam", "nu"])
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 80))
        cccd = cccd_for(province=rng.choice(BIRTH_PROVINCES), gender=gender, birth=birth,
                        serial=rng.randrange(1, 10**6))
        if cccd in used:
            continue
        used.add(cccd)
        code, commune = rng.choice(COMMUNES)
        if commune.startswith("Phường"):
            street = f"Số {rng.randrange(1, 300)}, {rng.choice(STREETS)}, tổ {rng.randrange(1, 30)}"
        else:
            street = rng.choice(HAMLETS)
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
        people.append(Resident(cccd, name, birth, gender, code, commune, street))
    return people


def name_key(name: str) -> str:
    """Names compare in NFC, case- and space-insensitively (the registry stores NFC, forms may send NFD)."""
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())
