"""`tinhso calendar due ...` prints one due time as JSON; `tinhso calendar import FILE` loads entries."""
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tinhso.workcal import selectors, services
from tinhso.workcal.rule_input import parse_received, time_limit_from


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Lịch làm việc: tính thời hạn (due) và nạp danh sách ngày nghỉ, ngày làm bù (import)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{due,import}")
        due = sub.add_parser("due", help="In thời hạn giải quyết dưới dạng một đối tượng JSON.")
        due.add_argument("--received", required=True, help="Thời điểm tiếp nhận, ISO 8601, ví dụ 2026-02-13T10:00+07:00")
        due.add_argument("--working-days", dest="working_days", help="Số ngày làm việc")
        due.add_argument("--working-hours", dest="working_hours", help="Số giờ làm việc")
        due.add_argument("--same-day", dest="same_day", action="store_true", help="Giải quyết trong ngày")
        due.add_argument("--calendar-days", dest="calendar_days", help="Số ngày theo lịch (Bộ luật Dân sự, Điều 148)")
        imp = sub.add_parser("import", help="Nạp tệp YAML gồm các mục {date, kind, name, source}.")
        imp.add_argument("file", help="Đường dẫn tệp YAML")

    def handle(self, *args, **options):
        try:
            if options["action"] == "due":
                received = parse_received(options["received"], "received")
                rule = time_limit_from({k: options.get(k) for k in ("working_days", "working_hours", "same_day", "calendar_days")})
                result = selectors.due_at(received_at=received, rule=rule)
                self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            else:
                r = services.calendar_entries_import(actor=None, path=options["file"])
                self.stdout.write(json.dumps({"created": r.created, "updated": r.updated, "unchanged": r.unchanged}))
        except ValidationError as exc:
            raise CommandError(_message(exc)) from None
