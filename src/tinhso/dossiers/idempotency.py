"""Idempotency keys of the requests that create dossiers (IETF draft-ietf-httpapi-idempotency-key-header).

A clerk whose network drops after "register this dossier" retries; the retry carries the same key, and
the services (`dossier_register_at_desk`, `dossier_submit_online`, argument `idempotency=`) answer it
with the first result instead of a second dossier. This module holds what is not a write: the key's
syntax, the request's fingerprint, the two outcomes a caller must handle, and the retention.

- `IdempotentReplay`: the same key, the same request, already done: `.record` (an `IdempotencyKey`,
  with `dossier_id` and, once the caller stored it, `response_status` / `response_body`).
- `IdempotencyKeyMismatch` (a ValidationError, field `Idempotency-Key`): the same key with another
  request; nothing was written. The API answers 422, the desk form shows the message.

Keys are per user and per endpoint (`scope`), kept `KEY_TTL` (24 hours): an older key is forgotten
(and the periodic job `tasks.purge_idempotency_keys` deletes it).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KEY_TTL = timedelta(hours=24)
HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Idempotency:
    """What a create service needs: the endpoint, the sender's key, the request's fingerprint."""
    scope: str
    key: str
    fingerprint: str


class IdempotentReplay(Exception):
    """The request with this key was already done: answer with `record` (nothing new was written)."""

    def __init__(self, record):
        super().__init__(record.key)
        self.record = record


class IdempotencyKeyMismatch(ValidationError):
    """The key was already used by this user at this endpoint for a different request."""

    def __init__(self):
        super().__init__({HEADER: [_("Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác (nội dung gửi lên "
                                     "khác lần trước). Không có gì được ghi. Hãy dùng một khóa mới cho mỗi hồ sơ mới; "
                                     "khi gửi lại đúng yêu cầu cũ thì giữ nguyên khóa và nội dung.")]},
                         code="idempotency_key_mismatch")


def parse_key(raw: str) -> str:
    """The key of an `Idempotency-Key` header: an sf-string (`"..."`, RFC 8941) as the draft says, or,
    leniently, the bare value many clients send. 1 to 255 printable ASCII characters; ValidationError else."""
    value = (raw or "").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner, out, escaped = value[1:-1], [], False
        for ch in inner:
            if escaped:
                if ch not in '"\\':
                    out = None
                    break
                out.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                out = None
                break
            else:
                out.append(ch)
        value = "".join(out) if out is not None and not escaped else ""
    if not value or len(value) > MAX_KEY_LENGTH or any(not (" " <= ch <= "~") for ch in value):
        raise ValidationError({HEADER: [_("Tiêu đề Idempotency-Key không hợp lệ: hãy gửi một chuỗi từ 1 đến 255 ký tự "
                                          "ASCII in được, ví dụ một UUID trong ngoặc kép.")]},
                              code="idempotency_key_invalid")
    return value


def fingerprint(*, fields=None, files=None, raw: bytes | None = None, exclude: tuple[str, ...] = ()) -> str:
    """sha256 of a request's content: its form fields (QueryDict or {name: [values]}) and uploaded files
    (MultiValueDict or {name: [files]}: name, file name and content), in a canonical order, so that a
    retry whose multipart boundary differs has the same fingerprint; or of the raw body (JSON). Files
    are read and rewound."""
    h = hashlib.sha256()
    if raw is not None:
        h.update(b"raw\0")
        h.update(raw)
        return h.hexdigest()
    fields = fields or {}
    for name in sorted(k for k in fields.keys() if k not in exclude):
        values = fields.getlist(name) if hasattr(fields, "getlist") else list(fields[name])
        h.update(json.dumps(["field", name, values], ensure_ascii=False).encode())
    files = files or {}
    for name in sorted(k for k in files.keys() if k not in exclude):
        uploads = files.getlist(name) if hasattr(files, "getlist") else list(files[name])
        for up in uploads:
            content = hashlib.sha256()
            up.seek(0)
            for chunk in up.chunks():
                content.update(chunk)
            up.seek(0)
            h.update(json.dumps(["file", name, getattr(up, "name", ""), content.hexdigest()]).encode())
    return h.hexdigest()
