"""`tinhso simulate --year 2026 --dossiers N --seed S`: a realistic year of the demo province, in bulk."""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.demo.simulate import DEFAULT_SEED, SimulationError, simulate


def _until(value: str) -> dt.datetime:
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            parsed = dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        if fmt == "%d/%m/%Y":
            parsed += dt.timedelta(days=1)  # the whole day
        return timezone.make_aware(parsed)
    raise CommandError(_("--until: hãy ghi ngày theo dạng dd/mm/yyyy hoặc “dd/mm/yyyy HH:MM”, ví dụ 30/06/2026."))


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = ("Mô phỏng một năm của tỉnh trình diễn (hồ sơ, phản ánh) bằng ghi hàng loạt; cùng hạt giống cho cùng "
            "dữ liệu. Cần chạy “tinhso demo” trước.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=timezone.localdate().year, help="năm mô phỏng (mặc định: năm nay)")
        parser.add_argument("--dossiers", type=int, required=True, help="số hồ sơ")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="hạt giống ngẫu nhiên")
        parser.add_argument("--reports", type=int, default=None, help="số phản ánh (mặc định: số hồ sơ / 12)")
        parser.add_argument("--until", default=None,
                            help="dừng tại thời điểm này (dd/mm/yyyy [HH:MM]); mặc định: cuối năm hoặc bây giờ")
        parser.add_argument("--append", action="store_true", help="ghi thêm khi năm này đã có dữ liệu mô phỏng")
        parser.add_argument("--no-rollups", action="store_true", help="không dựng lại bảng tổng hợp chấm điểm")

    def handle(self, *args, year, dossiers, seed, reports, until, append, no_rollups, **options):
        until_at = _until(until) if until else timezone.now().replace(minute=0, second=0, microsecond=0)
        try:
            result = simulate(year=year, dossiers=dossiers, seed=seed, until=until_at, reports=reports, append=append,
                              rollups=not no_rollups, progress=self.stdout.write)
        except SimulationError as exc:
            raise CommandError(str(exc)) from exc
        s = result.stats
        states = s.get("states", {})
        channels = s.get("channels", {})
        total = sum(channels.values()) or 1
        late_base = s.get("finished") or 1
        self.stdout.write(self.style.SUCCESS(
            _("Đã mô phỏng năm %(year)s: %(d)s hồ sơ, %(r)s phản ánh, %(rows)s dòng trong %(sec).1f giây "
              "(%(rate)s hồ sơ/giây).") % {"year": year, "d": _n(result.dossiers), "r": _n(result.reports),
                                          "rows": _n(result.total_rows), "sec": result.seconds,
                                          "rate": _n(int(result.dossiers_per_second))}))
        local = timezone.localtime(result.end)
        self.stdout.write(_("  Đến: %(at)s; hạt giống %(seed)s.") % {"at": local.strftime("%H:%M %d/%m/%Y"), "seed": seed})
        self.stdout.write(_("  Kênh: trực tuyến %(on).1f%%, trực tiếp %(desk).1f%%, bưu chính %(post).1f%%.") % {
            "on": 100 * channels.get(2, 0) / total, "desk": 100 * channels.get(1, 0) / total,
            "post": 100 * channels.get(3, 0) / total})
        self.stdout.write(_("  Trạng thái: %(states)s.") % {"states": ", ".join(f"{k}: {_n(v)}" for k, v in states.items())})
        self.stdout.write(_("  Đã giải quyết %(f)s, trễ hạn %(late).1f%%; bổ sung %(sup)s; thanh toán trực tuyến %(paid)s; "
                            "đánh giá %(rated)s; khiếu nại %(comp)s; xin lỗi hẹn lại %(apo)s.") % {
            "f": _n(s.get("finished", 0)), "late": 100 * s.get("late", 0) / late_base, "sup": _n(s.get("supplements", 0)),
            "paid": _n(s.get("paid_online", 0)), "rated": _n(s.get("ratings", 0)), "comp": _n(s.get("complaints", 0)),
            "apo": _n(s.get("apologies", 0))})
        self.stdout.write(_("  Bảng tổng hợp: %(note)s") % {"note": result.rollups})
