"""`tinhso audit verify [--stream dossier:123]` and `tinhso audit backfill`."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tinhso.audit import registry
from tinhso.audit.services import chain_backfill
from tinhso.audit.verification import chain_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm chống sửa đổi (verify) hoặc nối chuỗi cho bản ghi cũ (backfill)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Kiểm tra mọi chuỗi; mã thoát 1 nếu có sai lệch.")
        verify.add_argument("--stream", help="chỉ kiểm tra một chuỗi, ví dụ dossier:123 hoặc citizen:45")
        sub.add_parser("backfill", help="Nối chuỗi cho các bản ghi có từ trước khi cài ứng dụng kiểm toán.")

    def handle(self, *args, action: str, **options):
        if action == "backfill":
            counts = chain_backfill()
            self.stdout.write(json.dumps({"backfilled": counts}, ensure_ascii=False))
            return
        stream = options.get("stream")
        if stream:
            entry = registry.for_stream(stream)
            owner = stream.split(":", 1)[1] if ":" in stream else ""
            if entry is None or not owner.isdigit():
                prefixes = ", ".join(f"{e.prefix}:<số>" for e in registry.chained())
                raise CommandError(_("Tên chuỗi không hợp lệ: %(stream)s. Dạng đúng: %(forms)s.")
                                   % {"stream": stream, "forms": prefixes})
        report = chain_verify(stream=stream)
        for problem in report.problems:
            self.stdout.write(problem.message)
        self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
        if not report.ok:
            raise SystemExit(1)
