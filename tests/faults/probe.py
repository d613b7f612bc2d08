"""The fault tests' helper, run as a separate process on the database under test (DATABASE_URL,
TINHSO_VAR_DIR in the environment): it prepares the data, and afterwards checks every invariant
straight from the database and the files. It prints one JSON object.

    probe.py migrate                       create the tables and load the national reference data
    probe.py setup-burst                   an agency, a procedure, citizens and receivers with sessions
    probe.py check-burst ACKS.json         every acknowledged submission stored once, codes gapless, nothing half-written
    probe.py setup-warnings N              an agency, its staff and N running dossiers owed a warning
    probe.py enqueue-sweep                 put the warnings sweep on the job queue (the consumer runs it)
    probe.py progress                      warnings written / e-mailed so far
    probe.py check-warnings MAIL_DIR       warnings == the expected set; one e-mail per warning, by Message-ID

Not a test module (pytest collects test_*.py only); the tests start it with the project's Python.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections import Counter, defaultdict
from email import message_from_bytes
from pathlib import Path

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AGENCY_CODE = "000.31.19.H55"
PROCEDURE_CODE = "9.000001"
COMPONENTS = ("to_khai", "giay_chung_sinh")
STEPS = [("receive", "receiver", 5), ("process", "specialist", 70), ("approve", "leader", 20), ("return", "receiver", 5)]


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    import django

    django.setup()


def _migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _agency():
    from tinhso.places.models import Agency, Commune

    commune = Commune.objects.filter(province_id="19").order_by("code").first()
    agency, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE, defaults={"name": f"UBND {commune.name}", "kind": "ubnd_xa", "province_id": "19",
                                    "commune": commune})
    return agency


def _procedure():
    from tinhso.catalog.models import Component, Field, FormField, Procedure, Step

    field, _ = Field.objects.get_or_create(code="ho_tich_faults", defaults={"name": "Hộ tịch (kiểm thử sự cố)"})
    proc = Procedure.objects.create(
        code=PROCEDURE_CODE, name="Đăng ký khai sinh (kiểm thử sự cố)", field=field, level="commune",
        agency_kind="ubnd_xa", online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014",
        subjects="Công dân Việt Nam", result_name="Giấy khai sinh", time_kind="working_days", time_amount=5,
        source_document="Luật Hộ tịch 2014", published=True)
    for pos, key in enumerate(COMPONENTS, start=1):
        Component.objects.create(procedure=proc, position=pos, key=key, name=f"Giấy tờ {key}", count_original=1,
                                 mandatory=True, file_types="pdf")
    FormField.objects.create(procedure=proc, position=1, key="ho_ten_tre", label="Họ, chữ đệm, tên của trẻ",
                             type="text", required=True, max_length=100)
    FormField.objects.create(procedure=proc, position=2, key="ngay_sinh_tre", label="Ngày sinh của trẻ",
                             type="date", required=True)
    for pos, (kind, role, share) in enumerate(STEPS, start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)
    return proc


def _official(agency, username: str, *roles: str):
    from allauth.mfa.models import Authenticator

    from tinhso.people.models import Official, OfficialRole, User

    user = User.objects.create_user(username=username, password="Mat-khau-rat-dai-1", kind="official",
                                    full_name=f"Cán bộ {username}", email=f"{username}@tinhso.test")
    official = Official.objects.create(user=user, agency=agency, title="Công chức")
    for role in roles:
        OfficialRole.objects.create(official=official, role=role)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


def _session(user) -> str:
    """A signed-in session, as the sign-in page would leave it (the tests are not about signing in)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key


def setup_burst(citizens: int = 6, receivers: int = 3) -> dict:
    from tinhso.people.models import User

    agency = _agency()
    proc = _procedure()
    out = {"agency_id": agency.pk, "procedure": proc.code, "citizens": [], "receivers": []}
    for i in range(citizens):
        cccd = f"0190900{i:05d}"
        user = User.objects.create_user(username=cccd, cccd=cccd, password="Mat-khau-rat-dai-1", kind="citizen",
                                        full_name=f"Công Dân {i}", email=f"{cccd}@dan.test", phone="0912345678",
                                        date_of_birth=dt.date(1990, 5, 1), gender="nam")
        out["citizens"].append({"id": user.pk, "session": _session(user)})
    for i in range(receivers):
        user = _official(agency, f"motcua{i}", "receiver")
        out["receivers"].append({"id": user.pk, "session": _session(user)})
    return out


# --- checks after a burst -------------------------------------------------------------------------

def _media_path(name: str) -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / name


def check_burst(acks_path: str) -> dict:
    from django.db import connection
    from django.db.models import Count

    from tinhso.dossiers.models import (DailySequence, Dossier, DossierComponent, DossierEvent, DossierStep,
                                        Handover)
    from tinhso.dossiers.states import Channel, State

    acks = json.loads(Path(acks_path).read_text())
    problems: list[str] = []
    dossiers = {d.pk: d for d in Dossier.objects.all()}
    by_token = defaultdict(list)
    for d in dossiers.values():
        if d.submit_token:
            by_token[d.submit_token].append(d.pk)

    # 1. Every acknowledgement is in the database, as acknowledged.
    for a in acks["online"]:
        d = dossiers.get(a["id"])
        if d is None:
            problems.append(f"online submission acknowledged (201, id {a['id']}) is missing")
        elif d.submit_token != a["token"] or d.channel != Channel.ONLINE:
            problems.append(f"dossier {a['id']} is not the submission acknowledged with token {a['token']}")
    for token in acks["online_duplicate"]:
        if len(by_token.get(token, [])) != 1:
            problems.append(f"token {token} answered 'already submitted' but {len(by_token.get(token, []))} dossiers hold it")
    for kind in ("desk", "received"):
        for a in acks[kind]:
            d = dossiers.get(a["id"])
            if d is None:
                problems.append(f"{kind} acknowledged with code {a['code']} (id {a['id']}) is missing")
            elif d.code != a["code"]:
                problems.append(f"{kind} dossier {a['id']} acknowledged with code {a['code']} holds {d.code}")
    for token, pks in by_token.items():
        if len(pks) > 1:
            problems.append(f"token {token} holds {len(pks)} dossiers")

    # 2. Codes: unique; per agency and day gapless 1..N; the day's counter says N.
    codes = [d.code for d in dossiers.values() if d.code]
    if len(codes) != len(set(codes)):
        problems.append(f"duplicate codes: {[c for c, n in Counter(codes).items() if n > 1][:5]}")
    numbers = defaultdict(list)
    for d in dossiers.values():
        if d.code:
            prefix, number = d.code.rsplit("-", 1)
            numbers[prefix].append(int(number))
    for prefix, nums in numbers.items():
        if sorted(nums) != list(range(1, len(nums) + 1)):
            missing = sorted(set(range(1, max(nums) + 1)) - set(nums))
            problems.append(f"codes of {prefix} are not consecutive from 1 (missing {missing[:10]})")
    for seq in DailySequence.objects.select_related("agency"):
        prefix = f"{seq.agency.code}-{seq.day:%y%m%d}"
        if seq.last != len(numbers.get(prefix, [])):
            problems.append(f"counter of {prefix} says {seq.last}, {len(numbers.get(prefix, []))} codes stored")

    # 3. Nothing half-written.
    events = defaultdict(list)
    for e in DossierEvent.objects.order_by("id").values("dossier_id", "action", "to_state"):
        events[e["dossier_id"]].append(e)
    steps = defaultdict(list)
    for s in DossierStep.objects.values("dossier_id", "status"):
        steps[s["dossier_id"]].append(s["status"])
    handovers = dict(Handover.objects.values_list("dossier_id").annotate(n=Count("id")))
    components = defaultdict(list)
    for c in DossierComponent.objects.values("dossier_id", "key", "file", "size", "sha256"):
        components[c["dossier_id"]].append(c)
    files_checked = 0
    for pk, d in dossiers.items():
        evs = events.get(pk, [])
        first = "submit" if d.channel == Channel.ONLINE else "register"
        if not evs or evs[0]["action"] != first:
            problems.append(f"dossier {pk} has no '{first}' event first (events: {[e['action'] for e in evs]})")
        elif evs[-1]["to_state"] != d.state:
            problems.append(f"dossier {pk} is in state {d.state} but its last event says {evs[-1]['to_state']}")
        if d.channel == Channel.ONLINE:
            comps = components.get(pk, [])
            if sorted(c["key"] for c in comps) != sorted(COMPONENTS):
                problems.append(f"online dossier {pk} has papers {[c['key'] for c in comps]}")
            for c in comps:
                path = _media_path(c["file"])
                files_checked += 1
                if not path.is_file():
                    problems.append(f"paper {c['key']} of dossier {pk}: file {c['file']} is missing")
                elif hashlib.sha256(path.read_bytes()).hexdigest() != c["sha256"] or path.stat().st_size != c["size"]:
                    problems.append(f"paper {c['key']} of dossier {pk}: file {c['file']} does not match its checksum")
        if d.state != State.SUBMITTED:
            st = steps.get(pk, [])
            if not d.code or d.due_at is None or d.received_at is None:
                problems.append(f"dossier {pk} in state {d.state} lacks its code or due time")
            if len(st) != len(STEPS) or st.count("active") != 1:
                problems.append(f"received dossier {pk} has steps {st}")
            if not handovers.get(pk):
                problems.append(f"received dossier {pk} has no hand-over row")
            if not any(e["action"] in ("receive", "register") for e in evs):
                problems.append(f"received dossier {pk} has no reception event")
        elif steps.get(pk) or d.code:
            problems.append(f"dossier {pk} waiting for reception already has steps or a code")

    # Rows pointing to no dossier (a foreign key left dangling).
    with connection.cursor() as cur:
        for model in (DossierEvent, DossierStep, DossierComponent, Handover):
            t = model._meta.db_table
            cur.execute(f"SELECT COUNT(*) FROM {t} x LEFT JOIN {Dossier._meta.db_table} d ON d.id = x.dossier_id "
                        "WHERE d.id IS NULL")
            n = cur.fetchone()[0]
            if n:
                problems.append(f"{n} rows of {t} belong to no dossier")

    # The tamper-evident chains still verify (no link without its event, no event without its link).
    audit = {}
    try:
        from tinhso.audit.verification import chain_verify

        report = chain_verify()
        audit = {"ok": report.ok, "problems": len(report.problems)}
        if not report.ok:
            problems.append(f"audit chains: {[str(p) for p in report.problems[:5]]}")
    except ImportError:
        audit = {"skipped": "no audit app"}

    # Uploaded files of requests that were killed before they committed: garbage, not records.
    stored_files = {c["file"] for cs in components.values() for c in cs}
    media = _media_path("dossiers")
    orphans = [p for p in media.rglob("*") if p.is_file()
               and str(p.relative_to(_media_path(""))) not in stored_files] if media.exists() else []
    return {"problems": problems, "dossiers": len(dossiers), "codes": len(codes),
            "acknowledged": {k: len(v) for k, v in acks.items()}, "files_checked": files_checked,
            "orphan_files": len(orphans), "audit": audit,
            "states": dict(Counter(d.state for d in dossiers.values()))}


# --- the warnings sweep ---------------------------------------------------------------------------

def setup_warnings(n: int) -> dict:
    """N running dossiers (state 4) with their active processing step: half late for days, half due in
    one to three hours (within the one-working-day horizon whatever the day). Half are assigned to the
    specialist. Recipients: two leaders, plus the assignee or (unassigned) the role the step needs."""
    from django.utils import timezone

    from tinhso.dossiers.models import DailySequence, Dossier, DossierStep

    agency = _agency()
    proc = _procedure()
    leaders = [_official(agency, "lanhdao1", "leader"), _official(agency, "lanhdao2", "leader")]
    receiver = _official(agency, "motcua", "receiver")
    specialist = _official(agency, "chuyenvien", "specialist")
    now = timezone.now()
    day = timezone.localtime(now - dt.timedelta(days=10)).date()
    rows = []
    for i in range(n):
        late = i % 2 == 0
        due = now - dt.timedelta(days=1 + i % 3, minutes=i) if late else now + dt.timedelta(hours=1, minutes=i % 120)
        rows.append(Dossier(
            code=f"{agency.code}-{day:%y%m%d}-{i + 1:04d}", procedure=proc, procedure_code=proc.code,
            procedure_name=proc.name, agency=agency, channel=1, state=4, applicant_name=f"Người nộp {i}",
            limit_kind="working_days", limit_amount=5, submitted_at=due - dt.timedelta(days=7),
            received_at=due - dt.timedelta(days=7), counting_from=due - dt.timedelta(days=7), due_at=due,
            original_due_at=due, current_step=2, assignee=specialist if i % 4 < 2 else None))
    Dossier.objects.bulk_create(rows, batch_size=500)
    DailySequence.objects.create(agency=agency, day=day, last=n)
    steps = [DossierStep(dossier=d, order=2, kind="process", name="Xử lý", role="specialist", share_percent=70,
                         agency=agency, due_at=d.due_at - dt.timedelta(minutes=30), started_at=d.received_at,
                         status="active", assignee_id=d.assignee_id)
             for d in Dossier.objects.filter(agency=agency).only("pk", "due_at", "received_at", "assignee_id")]
    DossierStep.objects.bulk_create(steps, batch_size=500)
    expected = _expected_warnings(now)
    return {"dossiers": n, "expected_warnings": len(expected), "leaders": [u.pk for u in leaders],
            "receiver": receiver.pk, "specialist": specialist.pk}


def _expected_warnings(now) -> set[tuple]:
    """What the sweep owes, worked out here independently of the sweep's code."""
    from tinhso.dossiers.models import Dossier, DossierStep
    from tinhso.people.models import OfficialRole

    holders = defaultdict(set)
    for agency_id, user_id, role in OfficialRole.objects.values_list("official__agency_id", "official__user_id", "role"):
        holders[(agency_id, role)].add(user_id)
    expected = set()
    for pk, agency_id, assignee_id, due in Dossier.objects.filter(state__in=[2, 4]).values_list(
            "pk", "agency_id", "assignee_id", "due_at"):
        kind = "late" if due <= now else "due_soon"
        for uid in holders[(agency_id, "leader")] | ({assignee_id} if assignee_id else holders[(agency_id, "receiver")]):
            expected.add((pk, 0, kind, uid))
    for dossier_id, order, agency_id, assignee_id, role, due in DossierStep.objects.filter(status="active").values_list(
            "dossier_id", "order", "agency_id", "assignee_id", "role", "due_at"):
        kind = "late" if due <= now else "due_soon"
        for uid in holders[(agency_id, "leader")] | ({assignee_id} if assignee_id else holders[(agency_id, role)]):
            expected.add((dossier_id, order, kind, uid))
    return expected


def enqueue_sweep() -> dict:
    from tinhso.dossiers.tasks import sweep_warnings

    result = sweep_warnings()
    return {"enqueued": str(getattr(result, "id", result))}


def progress() -> dict:
    from tinhso.dossiers.models import Warning

    return {"warnings": Warning.objects.count(), "emailed": Warning.objects.filter(emailed_at__isnull=False).count()}


MESSAGE_ID = re.compile(r"<canh-bao-(\d+)@")
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def read_mail_dir(mail_dir: str) -> list[dict]:
    """Every message the file e-mail backend wrote (one file per connection, messages separated by a
    line of 79 dashes)."""
    out = []
    for path in sorted(Path(mail_dir).glob("*")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if not chunk.strip():
                continue
            msg = message_from_bytes(chunk.lstrip(b"\n"))
            out.append({"message_id": msg.get("Message-ID", ""), "to": msg.get("To", ""), "file": path.name})
    return out


def check_warnings(mail_dir: str) -> dict:
    from django.utils import timezone

    from tinhso.dossiers.models import Warning
    from tinhso.people.models import User

    problems = []
    expected = _expected_warnings(timezone.now())
    rows = list(Warning.objects.values_list("pk", "dossier_id", "step", "kind", "recipient_id", "emailed_at"))
    actual = Counter((d, s, k, r) for _pk, d, s, k, r, _e in rows)
    missing = expected - set(actual)
    extra = set(actual) - expected
    dupes = [key for key, n in actual.items() if n > 1]
    if missing:
        problems.append(f"{len(missing)} warnings owed but missing, e.g. {sorted(missing)[:3]}")
    if extra:
        problems.append(f"{len(extra)} warnings not owed, e.g. {sorted(extra)[:3]}")
    if dupes:
        problems.append(f"{len(dupes)} warnings written twice")
    not_emailed = [pk for pk, *_rest, emailed in rows if emailed is None]
    if not_emailed:
        problems.append(f"{len(not_emailed)} warnings not e-mailed")
    emails = dict(User.objects.values_list("pk", "email"))
    recipient_of = {pk: r for pk, _d, _s, _k, r, _e in rows}
    mails = read_mail_dir(mail_dir)
    sent = Counter()
    for m in mails:
        match = MESSAGE_ID.search(m["message_id"])
        if not match:
            problems.append(f"an e-mail without a warning's Message-ID: {m['message_id']!r}")
            continue
        pk = int(match.group(1))
        sent[pk] += 1
        if pk not in recipient_of:
            problems.append(f"an e-mail for warning {pk}, which does not exist")
        elif emails.get(recipient_of[pk]) != m["to"]:
            problems.append(f"the e-mail of warning {pk} went to {m['to']}, not its recipient")
    never = set(recipient_of) - set(sent)
    if never:
        problems.append(f"{len(never)} warnings whose e-mail never went out")
    return {"problems": problems, "expected": len(expected), "warnings": len(rows), "emails": len(mails),
            "distinct_emails": len(sent), "sent_again": sorted(pk for pk, n in sent.items() if n > 1),
            "most_copies": max(sent.values(), default=0)}


def main(argv: list[str]) -> None:
    _django()
    cmd, args = argv[0], argv[1:]
    if cmd == "migrate":
        _migrate()
        out = {"migrated": True}
    elif cmd == "setup-burst":
        out = setup_burst()
    elif cmd == "check-burst":
        out = check_burst(args[0])
    elif cmd == "setup-warnings":
        out = setup_warnings(int(args[0]))
    elif cmd == "enqueue-sweep":
        out = enqueue_sweep()
    elif cmd == "progress":
        out = progress()
    elif cmd == "check-warnings":
        out = check_warnings(args[0])
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
