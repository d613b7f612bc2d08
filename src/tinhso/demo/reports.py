"""A few demo citizen reports (new, accepted, answered) made through the feedback services."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.feedback import services as feedback
from tinhso.feedback.models import Report
from tinhso.places.models import Commune

PLAN = [
    # reporter, category, commune, lat, long, description, fate
    ("019090001234", "trat-tu-do-thi", "05443", "21.594200", "105.848100",
     "Quán ăn lấn chiếm toàn bộ vỉa hè đường Hoàng Văn Thụ, người đi bộ phải xuống lòng đường.", "answered"),
    ("019190004321", "dien-chieu-sang", "05443", "21.590500", "105.843900",
     "Ba cột đèn đường trước số nhà 120 không sáng từ tuần trước, buổi tối rất tối.", "accepted"),
    ("019090001234", "rac-thai", "05503", "21.583300", "105.764700",
     "Điểm tập kết rác cạnh chợ không được thu gom hai ngày, bốc mùi.", "new"),
]


def load_reports(users: dict) -> list[str]:
    if Report.objects.filter(reporter__username__in=[p[0] for p in PLAN]).exists():
        return []
    made = []
    for cccd, category, commune_code, lat, long, text, fate in PLAN:
        try:
            report = feedback.report_create(actor=users[cccd], category=category, description=text, lat=lat, long=long,
                                            commune=Commune.objects.get(code=commune_code))
            if fate in ("accepted", "answered"):
                report = feedback.report_accept(actor=users["quantri.tinh"], report=report)
            if fate == "answered" and report.agency_id:
                handler = users["lanhdao.pdp"] if report.agency.code == "000.01.90.H55" else None
                if handler is not None:
                    report = feedback.report_start(actor=handler, report=report)
                    report = feedback.report_answer(
                        actor=handler, report=report,
                        answer="UBND phường đã kiểm tra, lập biên bản và yêu cầu chủ quán trả lại vỉa hè; sẽ kiểm tra lại sau 3 ngày.")
            made.append(f"{report.public_id} · {report.category.name} · {report.get_state_display()}")
        except (ValidationError, PermissionDenied) as exc:
            made.append(f"(bỏ qua phản ánh {category}: {exc})")
    return made
