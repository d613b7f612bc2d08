"""Read-only check of every chain: `chain_verify(stream=None) -> Report`.

Two passes, each streaming rows in chunks (`.iterator()`), so memory stays flat for millions of links:
1. links in (stream, seq) order: numbering 1, 2, 3… without gaps, each prev_hash equal to the previous
   link_hash, each link_hash recomputed, and the stream's head pointing at its last link;
2. for each chained model, records and links merged by record id: each record's hash recomputed
   (edited), each link has its record (deleted), each record has its link (inserted).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import hashing, registry
from .models import ChainHead, ChainLink

CHUNK = 5000
HEAD_BATCH = 1000

EDITED, DELETED, INSERTED, BROKEN, GAP, HEAD = "edited", "deleted", "inserted", "broken", "gap", "head"


@dataclass(frozen=True)
class Problem:
    kind: str
    stream: str
    seq: int | None
    record_type: str
    record_id: int | None
    message: str


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    streams: int = 0
    links: int = 0
    records: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        kinds = Counter(p.kind for p in self.problems)
        return {"ok": self.ok, "streams": self.streams, "links": self.links, "records": self.records,
                "problems": {k: kinds.get(k, 0) for k in (EDITED, DELETED, INSERTED, BROKEN, GAP, HEAD)}}


def _where(stream: str, seq) -> str:
    entry = registry.for_stream(stream)
    owner = stream.split(":", 1)[-1]
    if entry is not None and entry.prefix == "dossier":
        subject = _("hồ sơ #%(id)s") % {"id": owner}
    elif entry is not None and entry.prefix == "citizen":
        subject = _("công dân #%(id)s") % {"id": owner}
    else:
        subject = stream
    if seq is None:
        return _("Chuỗi %(stream)s (%(subject)s)") % {"stream": stream, "subject": subject}
    return _("Chuỗi %(stream)s (%(subject)s), mắt xích số %(seq)s") % {"stream": stream, "subject": subject,
                                                                       "seq": seq}


def _check_links(report: Report, stream: str | None) -> None:
    links = ChainLink.objects.order_by("stream", "seq")
    if stream:
        links = links.filter(stream=stream)
    current, expected, prev, last_seq, last_hash = None, 1, hashing.GENESIS, 0, ""
    finished: dict[str, tuple[int, str]] = {}

    def close(name):
        if name is None:
            return
        finished[name] = (last_seq, last_hash)
        if len(finished) >= HEAD_BATCH:
            _check_heads(report, finished)
            finished.clear()

    rows = links.values_list("stream", "seq", "record_type", "record_id", "record_hash", "prev_hash", "link_hash")
    for s, seq, rtype, rid, rhash, prev_hash, lhash in rows.iterator(chunk_size=CHUNK):
        report.links += 1
        if s != current:
            close(current)
            report.streams += 1
            current, expected, prev = s, 1, hashing.GENESIS
        if seq > expected:
            report.problems.append(Problem(GAP, s, seq, rtype, rid, _(
                "%(where)s: thiếu mắt xích số %(first)s đến %(last)s: bản ghi đã bị xoá cùng mắt xích.")
                % {"where": _where(s, seq), "first": expected, "last": seq - 1}))
        elif seq < expected:
            report.problems.append(Problem(GAP, s, seq, rtype, rid, _(
                "%(where)s: số thứ tự lặp hoặc lùi (mong đợi số %(expected)s).")
                % {"where": _where(s, seq), "expected": expected}))
        elif prev_hash != prev:
            report.problems.append(Problem(BROKEN, s, seq, rtype, rid, _(
                "%(where)s: mã băm mắt xích trước không khớp: chuỗi đã bị cắt, chèn hoặc sửa.")
                % {"where": _where(s, seq)}))
        if hashing.link_hash(prev_hash, rhash, seq, s) != lhash:
            report.problems.append(Problem(BROKEN, s, seq, rtype, rid, _(
                "%(where)s: mã băm của chính mắt xích không khớp: mắt xích đã bị sửa.")
                % {"where": _where(s, seq)}))
        expected, prev, last_seq, last_hash = seq + 1, lhash, seq, lhash
    close(current)
    if finished:
        _check_heads(report, finished)
    heads = ChainHead.objects.filter(seq__gt=0)
    if stream:
        heads = heads.filter(stream=stream)
    if heads.count() != report.streams:
        _heads_without_links(report, heads)


def _check_heads(report: Report, finished: dict[str, tuple[int, str]]) -> None:
    rows = ChainHead.objects.filter(stream__in=list(finished)).values_list("stream", "seq", "link_hash")
    seqs, heads = {}, {}
    for s, seq, lhash in rows:
        seqs[s], heads[s] = seq, lhash
    for s, (last_seq, last_hash) in finished.items():
        if s not in heads:
            report.problems.append(Problem(HEAD, s, last_seq, "", None, _(
                "%(where)s: đầu chuỗi bị mất.") % {"where": _where(s, None)}))
        elif seqs[s] != last_seq or heads[s] != last_hash:
            report.problems.append(Problem(HEAD, s, seqs[s], "", None, _(
                "%(where)s: đầu chuỗi ghi mắt xích cuối số %(head)s nhưng chuỗi dừng ở số %(last)s: "
                "các bản ghi cuối đã bị xoá cùng mắt xích, hoặc mắt xích giả đã được thêm.")
                % {"where": _where(s, None), "head": seqs[s], "last": last_seq}))


def _heads_without_links(report: Report, heads) -> None:
    for s, seq in heads.values_list("stream", "seq").iterator(chunk_size=CHUNK):
        if not ChainLink.objects.filter(stream=s).exists():
            report.problems.append(Problem(HEAD, s, seq, "", None, _(
                "%(where)s: đầu chuỗi ghi %(head)s mắt xích nhưng không còn mắt xích nào: toàn bộ đã bị xoá.")
                % {"where": _where(s, None), "head": seq}))


def _check_records(report: Report, entry: registry.Chained, stream: str | None) -> None:
    records = entry.model._base_manager.order_by("pk")
    links = ChainLink.objects.filter(record_type=entry.label).order_by("record_id")
    if stream:
        records = records.filter(**{entry.stream_field: stream.split(":", 1)[1]})
        links = links.filter(stream=stream)
    rec_iter = records.values("pk", *entry.fields).iterator(chunk_size=CHUNK)
    link_iter = links.values_list("record_id", "stream", "seq", "record_hash").iterator(chunk_size=CHUNK)
    rec, link = next(rec_iter, None), next(link_iter, None)
    while rec is not None or link is not None:
        if link is None or (rec is not None and rec["pk"] < link[0]):
            report.records += 1
            s = entry.stream_of(rec)
            report.problems.append(Problem(INSERTED, s, None, entry.label, rec["pk"], _(
                "%(where)s: bản ghi %(type)s #%(id)s không có mắt xích: bản ghi đã được chèn ngoài ứng dụng.")
                % {"where": _where(s, None), "type": entry.label, "id": rec["pk"]}))
            rec = next(rec_iter, None)
        elif rec is None or link[0] < rec["pk"]:
            rid, s, seq, _h = link
            report.problems.append(Problem(DELETED, s, seq, entry.label, rid, _(
                "%(where)s: bản ghi %(type)s #%(id)s đã bị xoá.")
                % {"where": _where(s, seq), "type": entry.label, "id": rid}))
            link = next(link_iter, None)
        else:
            report.records += 1
            rid, s, seq, rhash = link
            pk = rec.pop("pk")
            if hashing.record_hash(entry.label, pk, rec) != rhash or entry.stream_of(rec) != s:
                report.problems.append(Problem(EDITED, s, seq, entry.label, rid, _(
                    "%(where)s: bản ghi %(type)s #%(id)s đã bị sửa (mã băm không khớp).")
                    % {"where": _where(s, seq), "type": entry.label, "id": rid}))
            rec, link = next(rec_iter, None), next(link_iter, None)


def chain_verify(*, stream: str | None = None) -> Report:
    report = Report()
    _check_links(report, stream)
    entries = registry.chained()
    if stream:
        entry = registry.for_stream(stream)
        entries = [entry] if entry is not None else []
    for entry in entries:
        _check_records(report, entry, stream)
    return report
