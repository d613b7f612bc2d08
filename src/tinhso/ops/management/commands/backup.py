"""tinhso backup DIR [--force]: a consistent backup of the database and the uploaded files, while the platform runs."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tinhso.ops.backup import backup_create
from tinhso.ops.errors import BackupError


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp tải lên vào thư mục DIR (chạy được khi hệ thống đang hoạt động)."

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="thư mục trống để ghi bản sao lưu")
        parser.add_argument("--force", action="store_true", help="ghi đè bản sao lưu đã có trong DIR")

    def handle(self, *args, directory, force, **options):
        try:
            manifest = backup_create(directory=directory, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        db, media = manifest["database"], manifest["media"]
        self.stdout.write(self.style.SUCCESS(
            _("Đã sao lưu vào %(dir)s lúc %(at)s: cơ sở dữ liệu %(vendor)s (%(tables)s bảng, %(rows)s dòng), "
              "%(files)s tệp (%(bytes)s byte).") % {
                "dir": directory, "at": manifest["created_at"], "vendor": db["vendor"], "tables": len(db["tables"]),
                "rows": sum(db["tables"].values()), "files": media["file_count"], "bytes": media["total_bytes"]}))
