"""`tinhso media orphans [--dry-run]`: sweep the uploaded files that no row names (tinhso.ops.services)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tinhso.ops.errors import OrphanSweepError
from tinhso.ops.services import DELETE, KEEP, QUARANTINE, RESTORE, media_orphans_sweep


class Command(BaseCommand):
    help = "Tệp tải lên (MEDIA_ROOT): dọn các tệp mồ côi mà không bản ghi nào trỏ tới (orphans)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        orphans = sub.add_parser(
            "orphans", help="Chuyển vào khu cách ly các tệp không bản ghi nào trỏ tới, cũ hơn thời gian chờ; "
                            "xoá hẳn các tệp đã cách ly đủ số ngày.")
        orphans.add_argument("--dry-run", action="store_true", help="chỉ liệt kê việc sẽ làm, không thay đổi gì")

    def handle(self, *args, action: str, dry_run: bool = False, **options):
        try:
            result = media_orphans_sweep(dry_run=dry_run)
        except OrphanSweepError as exc:
            raise CommandError(str(exc)) from None
        if dry_run:
            labels = {QUARANTINE: _("Sẽ chuyển vào khu cách ly"), DELETE: _("Sẽ xoá hẳn khỏi khu cách ly"),
                      RESTORE: _("Sẽ trả về MEDIA_ROOT (có bản ghi trỏ tới)")}
        else:
            labels = {QUARANTINE: _("Đã chuyển vào khu cách ly"), DELETE: _("Đã xoá hẳn khỏi khu cách ly"),
                      RESTORE: _("Đã trả về MEDIA_ROOT (có bản ghi trỏ tới)"),
                      KEEP: _("Giữ nguyên (có bản ghi vừa trỏ tới)")}
        for f in result.files:
            self.stdout.write(_("%(action)s: %(path)s (%(size)s byte)") % {
                "action": labels[f.action], "path": f.path, "size": f.size})
        summary = {
            "scanned": result.scanned, "old": result.old, "hours": f"{result.grace_hours:g}",
            "quarantined": result.count(QUARANTINE), "q_bytes": result.bytes(QUARANTINE),
            "deleted": result.count(DELETE), "restored": result.count(RESTORE),
            "held": result.in_quarantine, "days": f"{result.quarantine_days:g}", "seconds": f"{result.seconds:.2f}"}
        if dry_run:
            self.stdout.write(_(
                "Chạy thử, không thay đổi gì. MEDIA_ROOT có %(scanned)s tệp, %(old)s tệp cũ hơn %(hours)s giờ; "
                "sẽ chuyển %(quarantined)s tệp mồ côi (%(q_bytes)s byte) vào khu cách ly, sẽ xoá hẳn %(deleted)s tệp "
                "đã cách ly đủ %(days)s ngày, sẽ trả về %(restored)s tệp; khu cách ly đang có %(held)s tệp "
                "(%(seconds)s giây).") % summary)
        else:
            self.stdout.write(self.style.SUCCESS(_(
                "MEDIA_ROOT có %(scanned)s tệp, %(old)s tệp cũ hơn %(hours)s giờ; đã chuyển %(quarantined)s tệp mồ côi "
                "(%(q_bytes)s byte) vào khu cách ly, đã xoá hẳn %(deleted)s tệp đã cách ly đủ %(days)s ngày, đã trả "
                "về %(restored)s tệp; khu cách ly còn %(held)s tệp (%(seconds)s giây).") % summary))
        if result.postponed:
            self.stdout.write(self.style.WARNING(_(
                "%(n)s tệp để lại lần chạy sau: các bảng có tệp đang bị giao dịch khác giữ quá lâu.")
                % {"n": result.postponed}))
