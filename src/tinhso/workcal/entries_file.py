"""Reading and checking a list of calendar entries (from a YAML file or from Python data).

Every problem is reported in Vietnamese with the entry's number (counted from 1) and the field."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIELDS = ("date", "kind", "name", "source")
KINDS = ("day_off", "working_day")
NAME_MAX = 200
SOURCE_MAX = 500


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text, so a bad date is reported with its entry number."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class EntryData:
    date: dt.date
    kind: str
    name: str
    source: str


def _error(index: int | None, field: str, message: str) -> ValidationError:
    if index is None:
        text = message
        key = field or "entries"
    else:
        text = _("Mục thứ %(n)d, trường “%(f)s”: %(m)s") % {"n": index + 1, "f": field, "m": message}
        key = f"entries[{index}].{field}" if field else f"entries[{index}]"
    return ValidationError({key: [text]})


def load_yaml(path: str | Path) -> list:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(None, "path", _("Không tìm thấy tệp “%(p)s”.") % {"p": path}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(None, "path", _("Không đọc được tệp “%(p)s” (cần tệp văn bản UTF-8): %(e)s") % {"p": path, "e": exc}) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError) as exc:
        raise _error(None, "path", _("Tệp “%(p)s” không đúng cú pháp YAML: %(e)s") % {"p": path, "e": exc}) from None


def parse_entries(raw) -> list[EntryData]:
    """Check a list of entries; raise ValidationError naming the first bad entry and field."""
    if not isinstance(raw, list):
        raise _error(None, "entries", _("Nội dung phải là một danh sách các mục (mỗi mục có date, kind, name, source)."))
    out: list[EntryData] = []
    seen: dict[dt.date, int] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _error(i, "", _("mỗi mục phải là một bảng gồm các trường date, kind, name, source."))
        unknown = sorted(str(k) for k in item if k not in FIELDS)
        if unknown:
            raise _error(i, unknown[0], _("trường này không được hỗ trợ; chỉ dùng date, kind, name, source."))
        for f in FIELDS:
            if f not in item or item[f] in (None, ""):
                raise _error(i, f, _("thiếu giá trị, hãy điền trường này."))
        value = item["date"]
        if isinstance(value, dt.datetime):
            value = None
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not isinstance(value, dt.date):
            raise _error(i, "date", _("ngày không hợp lệ, hãy viết theo dạng YYYY-MM-DD, ví dụ 2026-01-02."))
        if value in seen:
            raise _error(i, "date", _("ngày %(d)s đã có ở mục thứ %(n)d.") % {"d": value.strftime("%d/%m/%Y"), "n": seen[value] + 1})
        seen[value] = i
        kind = item["kind"]
        if kind not in KINDS:
            raise _error(i, "kind", _("loại ngày phải là day_off (ngày nghỉ) hoặc working_day (ngày làm việc)."))
        texts = {}
        for f, limit in (("name", NAME_MAX), ("source", SOURCE_MAX)):
            if not isinstance(item[f], str) or not item[f].strip():
                raise _error(i, f, _("phải là một đoạn văn bản không rỗng."))
            if len(item[f].strip()) > limit:
                raise _error(i, f, _("dài quá %(n)d ký tự.") % {"n": limit})
            texts[f] = item[f].strip()
        out.append(EntryData(date=value, kind=kind, name=texts["name"], source=texts["source"]))
    return out
