"""tinhso restore DIR --yes: verify a backup, then replace the database and the uploaded files with it."""
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tinhso.ops.errors import BackupError
from tinhso.ops.restore import backup_restore, backup_verify


class Command(BaseCommand):
    help = ("Khôi phục cơ sở dữ liệu và tệp tải lên từ bản sao lưu trong DIR. Dữ liệu hiện có bị thay thế; "
            "hãy dừng hệ thống trước.")

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="thư mục do `tinhso backup` tạo ra")
        parser.add_argument("--yes", action="store_true", help="đồng ý thay thế dữ liệu hiện có, không hỏi lại")

    def handle(self, *args, directory, yes, **options):
        try:
            manifest = backup_verify(directory=directory)
            self.stdout.write(_("Bản sao lưu hợp lệ (tạo lúc %(at)s, %(vendor)s, %(files)s tệp).") % {
                "at": manifest.get("created_at"), "vendor": manifest["database"]["vendor"],
                "files": len(manifest.get("media", {}).get("files", []))})
            if not yes:
                if not sys.stdin.isatty():
                    raise CommandError(_("Khôi phục sẽ thay thế toàn bộ dữ liệu hiện có. Thêm --yes để xác nhận."))
                answer = input(_("Khôi phục sẽ thay thế toàn bộ dữ liệu hiện có. Gõ “yes” để tiếp tục: "))
                if answer.strip().lower() != "yes":
                    raise CommandError(_("Đã hủy: không thay đổi gì."))
            summary = backup_restore(directory=directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            _("Đã khôi phục bản sao lưu tạo lúc %(at)s: %(tables)s bảng, %(rows)s dòng (%(vendor)s), %(files)s tệp "
              "(%(bytes)s byte).") % {"at": summary.created_at, "tables": summary.tables, "rows": summary.rows,
                                     "vendor": summary.vendor, "files": summary.files, "bytes": summary.bytes}))
