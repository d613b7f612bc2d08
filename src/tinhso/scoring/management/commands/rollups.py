"""`tinhso rollups rebuild` (recompute every rollup from the dossier and report tables) and
`tinhso rollups verify` (compare the rollups as kept with a rebuild, changing nothing; exit 1 if they differ)."""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from tinhso.scoring.services import rollups_rebuild, rollups_verify


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu tổng hợp (rebuild) hoặc đối chiếu số liệu đang lưu với một lần tính lại (verify)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="Tính lại từ bảng hồ sơ và phản ánh, trong một giao dịch.")
        sub.add_parser("verify", help="Đối chiếu với một lần tính lại (không ghi gì); mã thoát 1 nếu khác.")

    def handle(self, *args, action: str, **options):
        if action == "rebuild":
            self.stdout.write(json.dumps(rollups_rebuild(actor=None), ensure_ascii=False))
            return
        report = rollups_verify()
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if not report["ok"]:
            raise SystemExit(1)
