"""The people of the simulated year: a pool of citizens (with accounts, reused across dossiers) and
the officials of every agency that receives dossiers or handles reports.

Citizens have valid CCCD numbers (birth province, gender and century, birth year: people/cccd.py),
Vietnamese names, a phone number, an e-mail address at example.vn, an address in a commune of the
province, an identity verified against the population registry, and (most of them) a self-declared scan
of their CCCD in their personal data store, which online dossiers may reuse. Officials: an agency's
existing officials holding a role are used first (the demo's hand-made officials of Phường Phan Đình
Phùng and Sở Tư pháp), otherwise `sim.<agency code>.<role><n>` accounts are created. Simulated accounts
have unusable passwords: nobody signs in with them. Every account and paper gets the domain event its
service would have written."""
from __future__ import annotations

import bisect
import datetime as dt
import json
from dataclasses import dataclass

from tinhso.catalog.text import search_key
from tinhso.datastore.models import StoredDocument
from tinhso.events.models import DomainEvent
from tinhso.people.models import Official, OfficialRole, Role, User

from . import sim_texts as texts
from .sim_calendar import DAY, Stamps
from .sim_writer import Table, Writer

PHONE_PREFIXES = ["091", "094", "098", "097", "096", "086", "088", "083", "084", "085", "081", "082", "070",
                  "079", "077", "076", "078", "090", "093", "089", "032", "033", "034", "035", "036", "037",
                  "038", "039", "056", "058"]
BIRTH_PROVINCES = [("019", 70), ("006", 18), ("024", 3), ("020", 2), ("008", 2), ("001", 2), ("004", 1),
                   ("026", 1), ("027", 1)]
CCCD_TITLE = "Căn cước công dân"
CCCD_ISSUER = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"

USER_COLUMNS = ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                "is_staff", "is_active", "date_joined", "kind", "full_name", "cccd", "date_of_birth", "gender", "phone",
                "phone_verified", "commune_id", "address_line", "identity_status", "identity_checked_at",
                "identity_verified_at", "identity_source", "registered_address"]
DOC_COLUMNS = ["id", "owner_id", "doc_type", "title", "number", "issuer", "issued_on", "valid_until", "file",
               "original_filename", "content_type", "size", "sha256", "origin", "source_dossier_id", "verified_by_id",
               "data", "created_at", "removed_at"]
EVENT_COLUMNS = ["id", "name", "actor_id", "subject_type", "subject_id", "data", "created_at"]


@dataclass(frozen=True)
class Citizen:
    id: int
    name: str
    cccd: str
    phone: str
    email: str
    address: str          # as the dossier snapshots it: "address line, commune"
    commune: str          # commune code
    doc_id: int | None    # their stored CCCD scan, if any
    doc_valid_until: dt.date | None
    key: str              # search key of "name cccd"


@dataclass
class SampleFile:
    name: str
    size: int
    sha256: str


def _pick(rng, pairs):
    """A function returning the first element of one of `pairs` (item, weight), by weight."""
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    items, last = [p[0] for p in pairs], len(pairs) - 1

    def pick():
        return items[min(bisect.bisect_right(cum, rng.random() * total), last)]
    return pick


class Names:
    def __init__(self, rng):
        self.rng = rng
        self.family = _pick(rng, texts.FAMILY_NAMES)

    def full(self, gender: str) -> str:
        c = self.rng.choice
        if gender == "nu":
            return f"{self.family()} {c(texts.MIDDLE_FEMALE)} {c(texts.GIVEN_FEMALE)}"
        return f"{self.family()} {c(texts.MIDDLE_MALE)} {c(texts.GIVEN_MALE)}"


def _unusable_password(rng) -> str:
    return "!" + format(rng.getrandbits(160), "040x")


def _cccd_valid_until(dob: dt.date, issued: dt.date) -> dt.date | None:
    """A CCCD is renewed at 25, 40 and 60 (Law on Identification 2023, art. 21): valid until the next one."""
    for age in (25, 40, 60):
        try:
            milestone = dob.replace(year=dob.year + age)
        except ValueError:
            milestone = dt.date(dob.year + age, 3, 1)
        if issued < milestone - dt.timedelta(days=730):
            return milestone
    return None


def citizen_pool(*, rng, size: int, communes: list[tuple[str, str, str, float]], writer: Writer,
                 stamps: Stamps, before: int, sample: SampleFile) -> list[Citizen]:
    """`size` citizens: those of the seed already in the database are reused, the others created.
    `communes`: (code, name, type, weight); `before`: an instant before the simulated period (accounts and
    papers are dated before it)."""
    names = Names(rng)
    commune_pick = _pick(rng, [((c, n, t), w) for c, n, t, w in communes])
    province_pick = _pick(rng, BIRTH_PROVINCES)
    candidates, seen = [], set()
    while len(candidates) < size:
        gender = "nu" if rng.random() < 0.52 else "nam"
        year = 1945 + int(rng.random() ** 0.8 * 62)   # adults born 1945–2006, more of them young
        dob = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        digit = (year - 1900) // 100 * 2 + (1 if gender == "nu" else 0)
        cccd = f"{province_pick()}{digit}{year % 100:02d}{rng.randrange(1_000_000):06d}"
        code, cname, ctype = commune_pick()
        full = names.full(gender)
        if ctype == "phuong":
            line = f"Số {rng.randrange(1, 300)}, đường {rng.choice(texts.STREETS)}, tổ {rng.randrange(1, 40)}"
        else:
            line = f"{'Thôn' if rng.random() < 0.5 else 'Xóm'} {rng.choice(texts.HAMLETS)}"
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
        has_doc = rng.random() < 0.6
        joined = before - rng.randrange(30, 900) * DAY + rng.randrange(DAY)
        issued = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        password = _unusable_password(rng)
        if cccd in seen:
            continue
        seen.add(cccd)
        candidates.append((cccd, full, gender, dob, code, cname, line, phone, has_doc, joined, issued, password))
    existing = {}
    for i in range(0, len(candidates), 900):
        chunk = [c[0] for c in candidates[i:i + 900]]
        for row in User.objects.filter(username__in=chunk).values("id", "username", "full_name", "phone", "email",
                                                                  "commune_id", "commune__name", "address_line"):
            existing[row["username"]] = row
    docs = {}
    if existing:
        ids = [r["id"] for r in existing.values()]
        for i in range(0, len(ids), 900):
            for d in (StoredDocument.objects.filter(owner_id__in=ids[i:i + 900], doc_type="cccd", removed_at__isnull=True)
                      .order_by("id").values("owner_id", "id", "valid_until")):
                docs[d["owner_id"]] = (d["id"], d["valid_until"])
    users_t, docs_t, events_t = Table(User, USER_COLUMNS), Table(StoredDocument, DOC_COLUMNS), Table(DomainEvent, EVENT_COLUMNS)
    ids = writer.next_ids([users_t, docs_t, events_t])
    uid, did, eid = ids[users_t.name], ids[docs_t.name], ids[events_t.name]
    taken_emails = set()
    users, doc_rows, events, pool = [], [], [], []
    db = stamps.db
    for (cccd, full, gender, dob, code, cname, line, phone, has_doc, joined, issued, password) in candidates:
        if cccd in existing:
            row = existing[cccd]
            address = ", ".join(x for x in [row["address_line"], row["commune__name"] or ""] if x)
            doc = docs.get(row["id"])
            pool.append(Citizen(row["id"], row["full_name"], cccd, row["phone"], row["email"], address,
                                row["commune_id"] or code, doc[0] if doc else None, doc[1] if doc else None,
                                search_key(f"{row['full_name']} {cccd}")))
            continue
        email = f"{search_key(full).replace(' ', '')}.{cccd[-6:]}@example.vn"
        if email in taken_emails:
            email = f"{search_key(full).replace(' ', '')}.{cccd}@example.vn"
        taken_emails.add(email)
        users.append((uid, password, None, False, cccd, "", "", email, False, True, db(joined), "citizen", full, cccd,
                      dob.isoformat(), gender, phone, True, code, line, "verified", db(joined), db(joined), "registry",
                      "{}"))
        events.append((eid, "people.citizen_registered", uid, "people.user", str(uid), "{}", db(joined)))
        eid += 1
        doc_id = valid = None
        if has_doc:
            valid = _cccd_valid_until(dob, issued)
            created = joined + rng.randrange(3600, 30 * DAY)
            doc_rows.append((did, uid, "cccd", CCCD_TITLE, cccd, CCCD_ISSUER, issued.isoformat(),
                             valid.isoformat() if valid else None, sample.name, "cccd.pdf", "application/pdf",
                             sample.size, sample.sha256, "self", None, None, "{}", db(created), None))
            events.append((eid, "datastore.document_added", uid, "datastore.storeddocument", str(did),
                           '{"doc_type": "cccd", "origin": "self"}', db(created)))
            eid += 1
            doc_id = did
            did += 1
        pool.append(Citizen(uid, full, cccd, phone, email, f"{line}, {cname}", code, doc_id, valid,
                            search_key(f"{full} {cccd}")))
        uid += 1
    writer.write(users_t, users)
    writer.write(docs_t, doc_rows)
    writer.write(events_t, events)
    writer.sequences_past({users_t.name: uid, docs_t.name: did, events_t.name: eid})
    return pool


ROLE_SHORT = {Role.RECEIVER: "mc", Role.SPECIALIST: "cv", Role.LEADER: "ld", Role.PROVINCE_ADMIN: "qt"}


def official_pools(*, rng, needs: dict[int, tuple[str, str, str, tuple[str, ...]]], writer: Writer,
                   stamps: Stamps, before: int) -> dict[int, dict[str, list[int]]]:
    """{agency id: {role: [user ids]}} for `needs` = {agency id: (code, name, kind, roles)}: the agency's
    active officials holding the role, else new simulated officials (1 receiver, 2 specialists and 1
    leader at a commune; 2, 3 and 1 at a department)."""
    have: dict[int, dict[str, list[int]]] = {}
    for agency_id, user_id, role in (OfficialRole.objects.filter(official__agency_id__in=list(needs),
                                                                 official__user__is_active=True)
                                     .order_by("official__user_id").values_list("official__agency_id",
                                                                                "official__user_id", "role")):
        have.setdefault(agency_id, {}).setdefault(role, []).append(user_id)
    names = Names(rng)
    users_t, off_t = Table(User, USER_COLUMNS), Table(Official, ["id", "user_id", "agency_id", "title"])
    roles_t, events_t = Table(OfficialRole, ["id", "official_id", "role"]), Table(DomainEvent, EVENT_COLUMNS)
    ids = writer.next_ids([users_t, off_t, roles_t, events_t])
    uid, oid, rid, eid = ids[users_t.name], ids[off_t.name], ids[roles_t.name], ids[events_t.name]
    usernames = set(User.objects.filter(username__startswith="sim.").values_list("username", flat=True))
    users, officials, roles_rows, events = [], [], [], []
    db = stamps.db
    out: dict[int, dict[str, list[int]]] = {}
    for agency_id in sorted(needs):
        code, _name, kind, roles = needs[agency_id]
        out[agency_id] = {}
        commune_level = kind == "ubnd_xa"
        for role in roles:
            found = have.get(agency_id, {}).get(role)
            if found:
                out[agency_id][role] = found
                continue
            count = {Role.RECEIVER: 1 if commune_level else 2, Role.SPECIALIST: 2 if commune_level else 3}.get(role, 1)
            made = []
            for k in range(1, count + 1):
                username = f"sim.{code.lower()}.{ROLE_SHORT[role]}{k}"
                gender = "nu" if rng.random() < 0.55 else "nam"
                full = names.full(gender)
                password = _unusable_password(rng)
                joined = before - rng.randrange(200, 2000) * DAY
                if username in usernames:
                    made.append(User.objects.get(username=username).pk)
                    continue
                title = (texts.OFFICIAL_TITLES if commune_level or role == Role.PROVINCE_ADMIN
                         else texts.DEPARTMENT_TITLES).get(role, "")
                users.append((uid, password, None, False, username, "", "", f"{username}@canbo.example.vn", False, True,
                              db(joined), "official", full, None, None, gender, "", False, None, "", "unchecked", None,
                              None, "", "{}"))
                officials.append((oid, uid, agency_id, title))
                roles_rows.append((rid, oid, role))
                events.append((eid, "people.official_created", None, "people.official", str(oid),
                               json.dumps({"agency": agency_id, "roles": [role]}), db(joined)))
                made.append(uid)
                uid, oid, rid, eid = uid + 1, oid + 1, rid + 1, eid + 1
            out[agency_id][role] = made
    writer.write(users_t, users)
    writer.write(off_t, officials)
    writer.write(roles_t, roles_rows)
    writer.write(events_t, events)
    writer.sequences_past({users_t.name: uid, off_t.name: oid, roles_t.name: rid, events_t.name: eid})
    return out
