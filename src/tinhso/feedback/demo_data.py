"""Seed data: the report categories a province starts with, and their default routing.

Idempotent (by code). The agencies are those of `places/data/thai-nguyen-agencies.csv`, found by their
electronic identifier; a category routed "per commune" goes to the UBND of the report's commune (one
rule per commune that has a UBND agency) and falls back to the province-level agency given."""
from __future__ import annotations

from django.db import transaction

from tinhso.events.services import event_record
from tinhso.places.models import Agency

from .models import Category, CategoryAttribute, RoutingRule

# code, name, group, description, working days, default agency code, per commune?
CATEGORIES = [
    ("giao-thong", "Giao thông", "Hạ tầng", "Hư hỏng mặt đường, ổ gà, biển báo, đèn tín hiệu, ùn tắc, vi phạm hành lang an toàn giao thông.",
     15, "000.00.07.H55", False),
    ("moi-truong", "Môi trường", "Môi trường", "Ô nhiễm không khí, nguồn nước, tiếng ồn; xả thải trái phép; khai thác khoáng sản trái phép.",
     15, "000.00.06.H55", False),
    ("rac-thai", "Rác thải, vệ sinh", "Môi trường", "Rác thải không được thu gom, đổ trộm rác, điểm tập kết rác gây mất vệ sinh.",
     5, "000.00.06.H55", True),
    ("trat-tu-do-thi", "Trật tự đô thị", "Đô thị", "Lấn chiếm vỉa hè, lòng đường; xây dựng không phép; quảng cáo sai quy định.",
     10, "000.00.07.H55", True),
    ("dien-chieu-sang", "Điện chiếu sáng", "Hạ tầng", "Đèn đường hỏng, không sáng hoặc sáng cả ngày; cột đèn nghiêng, dây điện võng.",
     5, "000.00.07.H55", False),
    ("cap-thoat-nuoc", "Cấp thoát nước", "Hạ tầng", "Mất nước, vỡ đường ống, nắp cống hỏng, ngập úng, cống thoát nước tắc.",
     7, "000.00.07.H55", False),
    ("an-toan-thuc-pham", "An toàn thực phẩm", "Y tế", "Cơ sở kinh doanh thực phẩm mất vệ sinh, thực phẩm không rõ nguồn gốc, ngộ độc thực phẩm.",
     10, "000.00.10.H55", False),
    ("y-te", "Y tế", "Y tế", "Thái độ phục vụ, chất lượng khám chữa bệnh, dịch bệnh tại cộng đồng.",
     15, "000.00.10.H55", False),
    ("giao-duc", "Giáo dục", "Xã hội", "Thu chi, cơ sở vật chất trường học, an toàn trường học.",
     15, "000.00.09.H55", False),
    ("dat-dai-xay-dung", "Đất đai, xây dựng", "Đô thị", "Lấn chiếm đất công, xây dựng trái phép trên đất nông nghiệp, tranh chấp ranh giới.",
     15, "000.00.06.H55", True),
    ("hanh-chinh-cong", "Thủ tục hành chính, thái độ phục vụ", "Hành chính", "Giải quyết hồ sơ chậm, cán bộ gây phiền hà, yêu cầu giấy tờ ngoài quy định.",
     15, "000.00.02.H55", False),
    ("an-ninh-trat-tu", "An ninh, trật tự", "Xã hội", "Tụ tập gây rối, cờ bạc, tệ nạn xã hội (việc khẩn cấp: gọi 113).",
     3, "000.00.00.H55", True),
]

ATTRIBUTES = {
    "giao-thong": [
        ("loai_su_co", "singlevaluelist", False, "Loại sự cố", [
            ("o-ga", "Ổ gà, hư hỏng mặt đường"), ("den-tin-hieu", "Đèn tín hiệu hỏng"),
            ("bien-bao", "Biển báo mất, hỏng"), ("un-tac", "Ùn tắc giao thông"), ("khac", "Khác")]),
    ],
    "dien-chieu-sang": [
        ("so_cot_den", "string", False, "Số hiệu cột đèn (ghi trên thân cột), nếu có", []),
    ],
    "an-toan-thuc-pham": [
        ("ten_co_so", "string", False, "Tên cơ sở kinh doanh, nếu biết", []),
    ],
}


@transaction.atomic
def demo_feedback_load(*, actor=None) -> dict:
    """Create or update the demo categories, their questions and their routing. Returns counts."""
    agencies = {a.code: a for a in Agency.objects.filter(active=True)}
    commune_pcs = {a.commune_id: a for a in agencies.values() if a.kind == Agency.Kind.COMMUNE_PC and a.commune_id}
    made = {"categories": 0, "routes": 0}
    for position, (code, name, group, description, days, agency_code, per_commune) in enumerate(CATEGORIES, start=1):
        cat, _created = Category.objects.update_or_create(code=code, defaults={
            "name": name, "group": group, "description": description, "deadline_working_days": days,
            "position": position, "active": True, "keywords": name.lower()})
        made["categories"] += 1
        for order, (acode, dtype, required, question, values) in enumerate(ATTRIBUTES.get(code, []), start=1):
            CategoryAttribute.objects.update_or_create(category=cat, code=acode, defaults={
                "datatype": dtype, "required": required, "description": question, "order": order,
                "values": [{"key": k, "name": n} for k, n in values]})
        default = agencies.get(agency_code)
        if default is not None:
            RoutingRule.objects.update_or_create(category=cat, commune=None, defaults={"agency": default})
            made["routes"] += 1
        if per_commune:
            for commune_id, agency in commune_pcs.items():
                RoutingRule.objects.update_or_create(category=cat, commune_id=commune_id, defaults={"agency": agency})
                made["routes"] += 1
    event_record(actor=actor, name="feedback.demo_loaded", subject_type="feedback.category", subject_id="*", data=made)
    return made
