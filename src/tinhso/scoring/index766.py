"""Index 766 (Decision 766/QĐ-TTg, 2022; DOMAIN.md §4): each indicator's value, points and inputs.

`compute(inputs)` turns the sums of a scope and period (read from the rollups by selectors.py) into the
indicators. Rates are rounded to 2 decimals (as a percentage), points to 2 decimals (ROUND_HALF_UP);
a denominator of 0 gives N/A; an indicator whose inputs tinhso does not hold is N/A with the reason.

Maximum points are those of DOMAIN.md §4. For 3.1 and 3.3 the table states a threshold but no maximum:
their rate is shown and their points are N/A until the province enters the maximum it has verified in
`settings.SCORING_766_MAX_POINTS` (e.g. {"3.1": 4, "3.3": 8}); nothing is guessed. The total is the sum
of the points shown; `max_points` is the sum of the maxima of the indicators that have points.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

TWO = Decimal("0.01")
HUNDRED = Decimal(100)

GROUPS = {
    1: (_("Công khai, minh bạch"), 18),
    2: (_("Tiến độ, kết quả giải quyết"), 20),
    3: (_("Cung cấp dịch vụ trực tuyến"), 22),
    4: (_("Số hóa hồ sơ"), 22),
    5: (_("Mức độ hài lòng"), 18),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    max_points: Decimal | None
    threshold: Decimal | None = None  # full marks at or above; below: rate × max / threshold
    unit: str = "%"
    monitoring: bool = False          # shown, never scored (2.2)


INDICATORS = (
    Indicator("1.1", _("Tỷ lệ thủ tục hành chính được công bố đúng hạn"), Decimal(6)),
    Indicator("1.2", _("Tỷ lệ thủ tục hành chính được công khai đúng hạn trên Cơ sở dữ liệu quốc gia"), Decimal(4)),
    Indicator("1.3", _("Tỷ lệ thủ tục hành chính công khai đầy đủ 7 bộ phận"), Decimal(2)),
    Indicator("1.4", _("Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"), Decimal(6)),
    Indicator("2.1", _("Tỷ lệ hồ sơ giải quyết đúng hạn và đang giải quyết còn hạn"), Decimal(20)),
    Indicator("2.2", _("Thời gian giải quyết trung bình của hồ sơ đã xong"), None, unit="h", monitoring=True),
    Indicator("3.1", _("Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến"), None, Decimal("0.8")),
    Indicator("3.3", _("Tỷ lệ hồ sơ trực tuyến"), None, Decimal("0.5")),
    Indicator("3.6", _("Tỷ lệ hồ sơ thanh toán trực tuyến"), Decimal(6)),
    Indicator("4.1", _("Tỷ lệ hồ sơ được cấp kết quả điện tử"), Decimal(6)),
    Indicator("4.2", _("Tỷ lệ hồ sơ có thành phần số hóa và kết quả điện tử"), Decimal(4), Decimal("0.8")),
    Indicator("4.3", _("Tỷ lệ hồ sơ tái sử dụng dữ liệu đã số hóa"), Decimal(2), Decimal("0.8")),
    Indicator("4.4", _("Tỷ lệ hồ sơ khai thác dữ liệu từ kho dữ liệu cá nhân"), Decimal(4)),
    Indicator("5.2", _("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn"), Decimal(6)),
    Indicator("5.3", _("Tỷ lệ phản ánh, kiến nghị được giải quyết thỏa đáng"), Decimal(6)),
    Indicator("5.4", _("Mức độ hài lòng trong tiếp nhận, giải quyết hồ sơ"), Decimal(6), Decimal("0.9")),
)
BY_CODE = {i.code: i for i in INDICATORS}

NOT_HELD = {
    "1.1": _("Không có dữ liệu: danh mục thủ tục của Tỉnh số chưa lưu ngày công bố thủ tục."),
    "1.2": _("Không có dữ liệu: Tỉnh số chưa lưu ngày công khai thủ tục trên Cơ sở dữ liệu quốc gia."),
    "1.4": _("Không có dữ liệu: Tỉnh số chưa đồng bộ hồ sơ với Cổng Dịch vụ công quốc gia."),
}
CATALOG_NOTE = _("Theo danh mục thủ tục hiện hành (danh mục không lưu lịch sử).")
NO_MAX_NOTE = _("Chưa tính điểm: bảng điểm (DOMAIN.md §4) chưa ghi điểm tối đa của chỉ số này.")
EMPTY_NOTE = _("Không có dữ liệu trong kỳ (mẫu số bằng 0).")


def max_points_of(ind: Indicator) -> Decimal | None:
    override = getattr(settings, "SCORING_766_MAX_POINTS", {}) or {}
    if ind.code in override and override[ind.code] is not None:
        return Decimal(str(override[ind.code]))
    return ind.max_points


def q2(x: Decimal) -> Decimal:
    return x.quantize(TWO, rounding=ROUND_HALF_UP)


def points_for(rate: Decimal, max_points: Decimal, threshold: Decimal | None) -> Decimal:
    if threshold is not None:
        return max_points if rate >= threshold else rate * max_points / threshold
    return rate * max_points


@dataclass
class CatalogStats:
    published: int = 0   # published procedures in the remit
    complete: int = 0    # ... with all 7 components (1.3)
    online: int = 0      # ... offered online, fully or partly (3.1)


@dataclass
class Inputs:
    """The sums a scope and period give (see selectors.py for where each comes from)."""

    d: dict                       # DOSSIER_COUNTERS summed over the period's daily rows
    late_time: int                # running (2, 4), ≤ 1 supplement request, due time passed: now
    r: dict                       # REPORT_COUNTERS summed over the period's daily rows
    r_open_late: int              # open reports past their due time, now
    r_open_late_clean: int        # ... never reopened nor rated unsatisfied (not already in bad_fixed)
    catalog: CatalogStats = field(default_factory=CatalogStats)

    @property
    def late_now(self) -> int:
        return self.d["open_late_supp"] + self.late_time


@dataclass
class Result:
    code: str
    name: str
    group: int
    max_points: Decimal | None
    threshold: Decimal | None
    unit: str
    numerator: int | None
    denominator: int | None
    inputs: dict
    value: Decimal | None      # percentage (2 decimals), or hours for 2.2
    points: Decimal | None
    available: bool
    notes: tuple = ()          # lazy translations, joined by `note` (translated only when shown)

    @property
    def note(self) -> str:
        return " ".join(str(n) for n in self.notes)

    def as_dict(self) -> dict:
        out = asdict(self)
        del out["notes"]
        out["name"] = str(self.name)
        out["note"] = self.note
        return out


def _rate_result(ind: Indicator, max_pts: Decimal | None, num: int, den: int, inputs: dict, *notes) -> Result:
    group = GROUP_OF[ind.code]
    if not den:
        return Result(ind.code, ind.name, group, max_pts, ind.threshold, ind.unit, num, den, inputs, None, None,
                      False, notes or (EMPTY_NOTE,))
    rate = Decimal(num) / Decimal(den)
    points = None
    if max_pts is None:
        notes = (*notes, NO_MAX_NOTE)
    else:
        points = q2(points_for(rate, max_pts, ind.threshold))
    return Result(ind.code, ind.name, group, max_pts, ind.threshold, ind.unit, num, den, inputs, q2(rate * HUNDRED),
                  points, True, notes)


GROUP_OF = {i.code: int(i.code.split(".")[0]) for i in INDICATORS}


def compute(x: Inputs) -> dict:
    """Every indicator of `x`, the total and the maximum of the indicators that have points."""
    d, r, cat = x.d, x.r, x.catalog
    results: list[Result] = []
    maxima = {ind.code: max_points_of(ind) for ind in INDICATORS}
    for ind in INDICATORS:
        code = ind.code
        group = GROUP_OF[code]
        if code in NOT_HELD:
            results.append(Result(code, ind.name, group, maxima[code], ind.threshold, ind.unit, None, None, {},
                                  None, None, False, (NOT_HELD[code],)))
        elif code == "1.3":
            results.append(_rate_result(ind, maxima[code], cat.complete, cat.published,
                                        {"complete": cat.complete, "published": cat.published}, CATALOG_NOTE))
        elif code == "2.1":
            within = d["open"] - d["open_late_supp"] - x.late_time
            num = d["done_on_time"] + within
            results.append(_rate_result(ind, maxima[code], num, d["counted"], {
                "done_on_time": d["done_on_time"], "done_late": d["done_late"], "open_within_time": within,
                "open_late_now": x.late_now, "counted": d["counted"]}))
        elif code == "2.2":
            value = None
            if d["processed"]:
                value = q2(Decimal(d["processing_seconds"]) / Decimal(d["processed"]) / Decimal(3600))
            results.append(Result(code, ind.name, group, None, None, ind.unit, d["processing_seconds"], d["processed"],
                                  {"processing_seconds": d["processing_seconds"], "processed": d["processed"]},
                                  value, None, value is not None, () if value is not None else (EMPTY_NOTE,)))
        elif code == "3.1":
            results.append(_rate_result(ind, maxima[code], cat.online, cat.published,
                                        {"online": cat.online, "published": cat.published}, CATALOG_NOTE))
        elif code == "3.3":
            results.append(_rate_result(ind, maxima[code], d["online_e"], d["received"],
                                        {"online_e": d["online_e"], "online": d["online"], "received": d["received"]}))
        elif code == "3.6":
            results.append(_rate_result(ind, maxima[code], d["paid_online"], d["fee_bearing"],
                                        {"paid_online": d["paid_online"], "fee_bearing": d["fee_bearing"]}))
        elif code == "4.1":
            results.append(_rate_result(ind, maxima[code], d["finished_paper_e"], d["finished_paper"],
                                        {"finished_paper_e": d["finished_paper_e"], "finished_paper": d["finished_paper"]}))
        elif code == "4.2":
            results.append(_rate_result(ind, maxima[code], d["finished_files_e"], d["finished"],
                                        {"finished_files_e": d["finished_files_e"], "finished": d["finished"]}))
        elif code == "4.3":
            results.append(_rate_result(ind, maxima[code], d["reused_any"], d["received"],
                                        {"reused_any": d["reused_any"], "received": d["received"]}))
        elif code == "4.4":
            results.append(_rate_result(ind, maxima[code], d["from_store"], d["received"],
                                        {"from_store": d["from_store"], "received": d["received"]}))
        elif code == "5.2":
            on_time = r["answered_on_time"] + r["rejected_on_time"]
            judged = on_time + r["answered_late"] + r["rejected_late"] + x.r_open_late
            results.append(_rate_result(ind, maxima[code], on_time, judged, {
                "answered_on_time": r["answered_on_time"], "rejected_on_time": r["rejected_on_time"],
                "answered_late": r["answered_late"], "rejected_late": r["rejected_late"],
                "open_late_now": x.r_open_late}))
        elif code == "5.3":
            bad = r["bad_fixed"] + x.r_open_late_clean
            results.append(_rate_result(ind, maxima[code], r["received"] - bad, r["received"], {
                "received": r["received"], "unsatisfied_reopened_or_late": bad}))
        elif code == "5.4":
            late = d["done_late"] + x.late_now
            bad = late + d["complained_or_disliked"]
            res = _rate_result(ind, maxima[code], max(d["counted"] - bad, 0), d["counted"], {
                "late": late, "complained_or_disliked": d["complained_or_disliked"], "counted": d["counted"]})
            results.append(res)
    total = sum((res.points for res in results if res.points is not None), Decimal(0))
    max_total = sum((res.max_points for res in results if res.points is not None and res.max_points), Decimal(0))
    return {
        "indicators": results,
        "total": q2(total),
        "max_points": q2(max_total),
        "groups": {g: {"name": name, "max": m,
                       "points": q2(sum((res.points for res in results if res.group == g and res.points is not None),
                                        Decimal(0)))}
                   for g, (name, m) in GROUPS.items()},
    }


# --- the catalog side (1.3, 3.1) ---------------------------------------------------------------------

def _procedures():
    """Published procedures with what 1.3 and 3.1 need: one plain SQL statement (read on every screen)."""
    from django.db import connection

    from tinhso.catalog.models import Component, OnlineLevel, Procedure, Step

    q = connection.ops.quote_name
    p, st, co = (q(m._meta.db_table) for m in (Procedure, Step, Component))
    sql = (f"SELECT p.id, p.level, p.agency_id, p.agency_kind, p.name, p.online_level, p.time_kind, p.subjects, "
           f"(SELECT COUNT(*) FROM {st} s WHERE s.procedure_id = p.id), "
           f"(SELECT COUNT(*) FROM {co} c WHERE c.procedure_id = p.id) "
           f"FROM {p} p WHERE p.published = %s")
    with connection.cursor() as cur:
        cur.execute(sql, [True])
        rows = cur.fetchall()
    out = []
    for pid, level, agency_id, kind, name, online_level, time_kind, subjects, n_steps, n_components in rows:
        complete = bool((name or "").strip() and n_steps and online_level and n_components and time_kind
                        and (subjects or "").strip() and (kind or agency_id))
        online = online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
        out.append((pid, level, agency_id, kind, complete, online))
    return out


def remit_of(agency: dict, procedures) -> set[int]:
    """Ids of the published procedures an agency handles (the rule of dossiers.selectors.handling_agencies):
    every commune-level procedure for a commune's UBND; a province-level one for its named agency, or for
    every agency of its kind when none is named."""
    ids = set()
    for pid, level, agency_id, kind, _complete, _online in procedures:
        if level == "commune":
            if agency["kind"] == "ubnd_xa" and agency["commune_id"]:
                ids.add(pid)
        elif agency_id is not None:
            if agency_id == agency["id"]:
                ids.add(pid)
        elif kind == agency["kind"]:
            ids.add(pid)
    return ids


def catalog_stats(agency_sets: dict, *, province_key=None) -> dict:
    """{key: CatalogStats} for each key's set of agency ids; a key mapped to None means the whole province
    (every published procedure)."""
    from tinhso.places.models import Agency

    procedures = _procedures()
    by_id = {p[0]: p for p in procedures}
    agencies = {a["id"]: a for a in Agency.objects.filter(active=True).values("id", "kind", "commune_id")}
    remits: dict[int, set[int]] = {}
    out = {}
    for key, ids in agency_sets.items():
        if ids is None:
            chosen = set(by_id)
        else:
            chosen = set()
            for aid in ids:
                if aid in agencies:
                    if aid not in remits:
                        remits[aid] = remit_of(agencies[aid], procedures)
                    chosen |= remits[aid]
        out[key] = CatalogStats(published=len(chosen), complete=sum(1 for pid in chosen if by_id[pid][4]),
                                online=sum(1 for pid in chosen if by_id[pid][5]))
    return out


def empty_dossier_sums() -> dict:
    from .models import DOSSIER_COUNTERS

    return dict.fromkeys(DOSSIER_COUNTERS, 0)


def empty_report_sums() -> dict:
    from .models import REPORT_COUNTERS

    return dict.fromkeys(REPORT_COUNTERS, 0)

