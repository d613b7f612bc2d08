"""Rollups of dossiers and citizen reports, kept up to date in the transaction of every change.

Three layers (README.md):
- facts: one row per received dossier (`DossierFact`) and per report (`ReportFact`): where it belongs
  (agency, procedure, day received, category, commune) and 0/1 counters saying what it counts in;
- daily rows: the sums of the facts per (day received, agency, procedure), per (day, agency) and, for
  reports, per (day, category, commune, agency), kept by deltas (new fact − old fact);
- `AgencyNow`: per agency, the dossiers open / paused / late by supplements right now.

Every counter of a daily row is the SUM of the same column over its facts, so a rebuild
(`services.rollups_rebuild`) is a GROUP BY over the facts, and the incremental rows must equal it.
Months, quarters and years are sums of daily rows. Rollup rows hold plain ids, not foreign keys:
they are aggregates, and the upserts that keep them stay single statements.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q

DOSSIER_COUNTERS = (
    "received",            # received (has a code and a reception time); always 1 on a fact
    "online",              # channel 2
    "online_e",            # channel 2 and (no paper result, or an electronic result): 766 3.3
    "cancelled",           # withdrawn (7) or stopped (8) after reception
    "counted",             # not cancelled: what 2.1 and 5.4 count
    "finished",            # finished (states 9, 10: finished_at set)
    "done_on_time",        # finished ≤ due time and at most one supplement request
    "done_late",           # finished after the due time, or more than one supplement request
    "open",                # states 2, 4, 5, 6
    "paused",              # states 5, 6
    "open_late_supp",      # open with more than one supplement request (late whatever the clock says)
    "fee_bearing",         # a fee is due (fee_amount > 0): 766 3.6 denominator
    "paid_online",         # fee paid through tinhso (paid_at): 766 3.6 numerator
    "finished_paper",      # finished, procedure issues a paper result: 766 4.1 denominator
    "finished_paper_e",    # ... with an electronic result: 766 4.1 numerator
    "finished_files_e",    # finished, every component an attached file, electronic result: 766 4.2
    "reused_any",          # ≥ 1 component reused from digitised data: 766 4.3
    "from_store",          # ≥ 1 component from the citizen's data store: 766 4.4
    "rated",
    "rated_satisfied",
    "rated_acceptable",
    "rated_unsatisfied",
    "complained",
    "complained_or_disliked",  # counted, with a complaint or an "unsatisfied" rating: 766 5.4
    "with_supplement",     # ≥ 1 supplement request
    "supplements",         # number of supplement requests
    "processed",           # finished with a processing time: 766 2.2 denominator
    "processing_seconds",  # working seconds from reception to finish, pauses excluded: 766 2.2
)

NOW_COUNTERS = ("open", "paused", "open_late_supp")

REPORT_COUNTERS = (
    "received",
    "open",                # new, accepted, assigned, in progress
    "answered_on_time",    # answered (or closed after an answer) by its due time
    "answered_late",
    "rejected_on_time",    # declined within 2 working days of its reception (766 5.2)
    "rejected_late",
    "rated",
    "satisfied",
    "unsatisfied",
    "reopened",
    "bad_fixed",           # unsatisfied, reopened, answered late or rejected late (766 5.3)
)


class DossierCounters(models.Model):
    """The counters of DOSSIER_COUNTERS (0/1 on a fact; sums on daily rows)."""

    received = models.IntegerField(default=0, db_default=0)
    online = models.IntegerField(default=0, db_default=0)
    online_e = models.IntegerField(default=0, db_default=0)
    cancelled = models.IntegerField(default=0, db_default=0)
    counted = models.IntegerField(default=0, db_default=0)
    finished = models.IntegerField(default=0, db_default=0)
    done_on_time = models.IntegerField(default=0, db_default=0)
    done_late = models.IntegerField(default=0, db_default=0)
    open = models.IntegerField(default=0, db_default=0)
    paused = models.IntegerField(default=0, db_default=0)
    open_late_supp = models.IntegerField(default=0, db_default=0)
    fee_bearing = models.IntegerField(default=0, db_default=0)
    paid_online = models.IntegerField(default=0, db_default=0)
    finished_paper = models.IntegerField(default=0, db_default=0)
    finished_paper_e = models.IntegerField(default=0, db_default=0)
    finished_files_e = models.IntegerField(default=0, db_default=0)
    reused_any = models.IntegerField(default=0, db_default=0)
    from_store = models.IntegerField(default=0, db_default=0)
    rated = models.IntegerField(default=0, db_default=0)
    rated_satisfied = models.IntegerField(default=0, db_default=0)
    rated_acceptable = models.IntegerField(default=0, db_default=0)
    rated_unsatisfied = models.IntegerField(default=0, db_default=0)
    complained = models.IntegerField(default=0, db_default=0)
    complained_or_disliked = models.IntegerField(default=0, db_default=0)
    with_supplement = models.IntegerField(default=0, db_default=0)
    supplements = models.IntegerField(default=0, db_default=0)
    processed = models.IntegerField(default=0, db_default=0)
    processing_seconds = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class ReportCounters(models.Model):
    """The counters of REPORT_COUNTERS (0/1 on a fact; sums on daily rows)."""

    received = models.IntegerField(default=0, db_default=0)
    open = models.IntegerField(default=0, db_default=0)
    answered_on_time = models.IntegerField(default=0, db_default=0)
    answered_late = models.IntegerField(default=0, db_default=0)
    rejected_on_time = models.IntegerField(default=0, db_default=0)
    rejected_late = models.IntegerField(default=0, db_default=0)
    rated = models.IntegerField(default=0, db_default=0)
    satisfied = models.IntegerField(default=0, db_default=0)
    unsatisfied = models.IntegerField(default=0, db_default=0)
    reopened = models.IntegerField(default=0, db_default=0)
    bad_fixed = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class DossierFact(DossierCounters):
    """What one received dossier counts in, as of its last change."""

    # No database constraint: a fact is derived data (rebuilt from the dossiers), and the rebuild inserts
    # millions of them without a foreign-key check each (deletion still cascades through the ORM).
    dossier = models.OneToOneField("dossiers.Dossier", primary_key=True, on_delete=models.CASCADE, related_name="+",
                                   db_constraint=False)
    agency_id = models.BigIntegerField()
    procedure_id = models.BigIntegerField()
    channel = models.PositiveSmallIntegerField()
    state = models.PositiveSmallIntegerField()
    received_day = models.DateField()
    finished_day = models.DateField(null=True, blank=True)
    # The dossier's due time as of its last change (every change of it goes through a service, hence
    # through the hook): "late now" is read here, through the partial index of the running dossiers.
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency_id", "received_day"], name="scoring_fact_agency_day"),
            models.Index(fields=["received_day"], name="scoring_fact_day"),
            # the few open dossiers late because of a second supplement request ("late now" lists; covering
            # the reception day: the late lists count their dossiers per day from the facts alone)
            models.Index(fields=["agency_id", "received_day"], condition=Q(open_late_supp=1),
                         name="scoring_fact_late_supp"),
            # the dossiers finished late (the "late" lists of a period)
            models.Index(fields=["agency_id", "received_day"], condition=Q(done_late=1), name="scoring_fact_done_late"),
            # the running dossiers (states 2, 4) by agency and due time: "late now" counts read only this
            # small index (covering: the supplement count and the reception day are in it)
            models.Index(fields=["agency_id", "due_at", "supplements", "received_day"],
                         condition=Q(state__in=[2, 4]), name="scoring_fact_running_due"),
        ]


class DossierDaily(DossierCounters):
    """Sums of the facts of the dossiers received on `day` by `agency_id` for `procedure_id`."""

    day = models.DateField()
    agency_id = models.BigIntegerField()
    procedure_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "agency_id", "procedure_id"],
                                               name="scoring_dossierdaily_key")]
        indexes = [models.Index(fields=["agency_id", "day"], name="scoring_daily_agency_day")]


class DossierDailyAgency(DossierCounters):
    """Sums of the facts of the dossiers received on `day` by `agency_id` (all procedures)."""

    day = models.DateField()
    agency_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "agency_id"], name="scoring_dailyagency_key")]
        indexes = [models.Index(fields=["agency_id", "day"], name="scoring_dailyag_agency_day")]


class AgencyNow(models.Model):
    """Per agency, right now: dossiers open, paused, late because of a second supplement request."""

    agency_id = models.BigIntegerField(unique=True)
    open = models.IntegerField(default=0, db_default=0)
    paused = models.IntegerField(default=0, db_default=0)
    open_late_supp = models.IntegerField(default=0, db_default=0)


class ReportFact(ReportCounters):
    """What one citizen report counts in, as of its last change."""

    report = models.OneToOneField("feedback.Report", primary_key=True, on_delete=models.CASCADE, related_name="+",
                                  db_constraint=False)
    day = models.DateField()
    category_id = models.BigIntegerField()
    commune_code = models.CharField(max_length=5, blank=True, default="")  # "" = no commune
    agency_id = models.BigIntegerField(default=0)  # 0 = not routed to an agency yet
    state = models.CharField(max_length=12)
    due_at = models.DateTimeField(null=True, blank=True)  # as of the report's last change (see DossierFact)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="scoring_reportfact_day"),
            # open reports ("open now") and the running ones by due time ("late now"), per agency and commune
            models.Index(fields=["agency_id", "commune_code"], condition=Q(open=1), name="scoring_rfact_open"),
            models.Index(fields=["agency_id", "due_at"], condition=Q(state__in=["accepted", "assigned", "in_progress"]),
                         name="scoring_rfact_running_agency"),
            models.Index(fields=["commune_code", "due_at"],
                         condition=Q(state__in=["accepted", "assigned", "in_progress"]),
                         name="scoring_rfact_running_commune"),
        ]


class ReportDaily(ReportCounters):
    """Sums of the facts of the reports received on `day`, per category, commune and agency."""

    day = models.DateField()
    category_id = models.BigIntegerField()
    commune_code = models.CharField(max_length=5, blank=True, default="")
    agency_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "category_id", "commune_code", "agency_id"],
                                               name="scoring_reportdaily_key")]
        indexes = [models.Index(fields=["agency_id", "day"], name="scoring_rdaily_agency_day"),
                   models.Index(fields=["commune_code", "day"], name="scoring_rdaily_commune_day")]
