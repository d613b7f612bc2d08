"""Citizens' field reports (phản ánh hiện trường), their routing, answers and ratings.

The categories are Open311 GeoReport v2 "services"; a report is a "service request"."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A kind of problem citizens report (Open311 service)."""

    code = models.SlugField(_("mã lĩnh vực phản ánh"), max_length=40, unique=True)  # Open311 service_code
    name = models.CharField(_("tên"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    group = models.CharField(_("nhóm"), max_length=100, blank=True)
    keywords = models.CharField(_("từ khóa"), max_length=300, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(_("thời hạn xử lý (ngày làm việc)"), default=15)
    active = models.BooleanField(_("đang dùng"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")
        ordering = ["position", "name"]
        constraints = [models.CheckConstraint(condition=Q(deadline_working_days__gte=1), name="category_deadline_positive")]

    def __str__(self) -> str:
        return self.name


class CategoryAttribute(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", "string"
        NUMBER = "number", "number"
        DATETIME = "datetime", "datetime"
        TEXT = "text", "text"
        SINGLE = "singlevaluelist", "singlevaluelist"
        MULTI = "multivaluelist", "multivaluelist"

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(max_length=40)
    datatype = models.CharField(max_length=20, choices=Datatype.choices)
    required = models.BooleanField(default=False)
    variable = models.BooleanField(default=True)
    description = models.CharField(max_length=300)  # the question shown to the citizen
    datatype_description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=1)
    values = models.JSONField(default=list, blank=True)  # [{"key": ..., "name": ...}] for lists

    class Meta:
        ordering = ["category", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="uniq_category_attribute_code")]


class RoutingRule(models.Model):
    """category × commune → the agency that handles it (commune empty = every commune)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    commune = models.ForeignKey("places.Commune", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("places.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "commune"], name="uniq_route_category_commune"),
            models.UniqueConstraint(fields=["category"], condition=Q(commune__isnull=True), name="uniq_route_category_default"),
        ]


class DutyOfficer(models.Model):
    """The official on duty for a commune: alerted at once of urgent reports."""

    commune = models.ForeignKey("places.Commune", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "user"], name="uniq_duty_officer")]


class ApiKey(models.Model):
    """An Open311 client allowed to POST requests. Only the SHA-256 of the key is stored."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Report(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("Mới")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        REJECTED = "rejected", _("Không tiếp nhận")
        ASSIGNED = "assigned", _("Đã chuyển cơ quan xử lý")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        ANSWERED = "answered", _("Đã trả lời")
        CLOSED = "closed", _("Đã đóng")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Bình thường")
        URGENT = "urgent", _("Khẩn cấp")

    class RejectReason(models.TextChoices):
        DUPLICATE = "duplicate", _("Trùng phản ánh đã có")
        OUT_OF_REMIT = "out_of_remit", _("Không thuộc phạm vi tiếp nhận")
        NOT_ENOUGH = "not_enough", _("Không đủ thông tin")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Hài lòng")
        ACCEPTABLE = "acceptable", _("Chấp nhận được")
        UNSATISFIED = "unsatisfied", _("Không hài lòng")

    # Open311 service_request_id; unique by a constraint (Meta), not `unique=True`, which on PostgreSQL adds a
    # second index for LIKE searches that nothing makes
    public_id = models.CharField(_("mã phản ánh"), max_length=20)
    # Indexes: only those a query uses. A plain index on category, commune, state or created_at would repeat
    # the leading column of a composite one below, and every report's insert pays for each index.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports", db_index=False)
    description = models.TextField(_("nội dung"), max_length=4000)
    attributes = models.JSONField(default=dict, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    commune = models.ForeignKey("places.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                db_index=False)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    # who reported: never shown to the public nor to the handling agency, only to the coordinator
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    reporter_name = models.CharField(max_length=150, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    via = models.CharField(max_length=10, default="web")  # web | open311
    media_url = models.URLField(max_length=500, blank=True)  # Open311 media_url: stored as text, never fetched
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                db_index=False)  # keys are revoked, never deleted: nothing looks reports up by key
    agency = models.ForeignKey("places.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    reject_reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    reject_note = models.TextField(blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     db_index=False)  # reports are never deleted; nothing lists a report's duplicates
    answer = models.TextField(_("trả lời"), blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    warned_due_soon = models.BooleanField(default=False)
    warned_late = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)  # indexed as the head of report_newest
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "category"]), models.Index(fields=["commune", "state"]),
            # the public list: newest first, filtered by category, commune or state (bench/reports_read.py)
            models.Index(fields=["created_at", "id"], name="report_newest"),
            models.Index(fields=["category", "created_at", "id"], name="report_category_newest"),
            models.Index(fields=["commune", "created_at", "id"], name="report_commune_newest"),
            models.Index(fields=["state", "created_at", "id"], name="report_state_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="report_public_id_unique"),
            models.CheckConstraint(condition=Q(state__in=["new", "accepted", "rejected", "assigned", "in_progress", "answered", "closed"]),
                                   name="report_state_valid"),
            models.CheckConstraint(condition=(Q(lat__isnull=True) & Q(long__isnull=True)) | (Q(lat__isnull=False) & Q(long__isnull=False)),
                                   name="report_lat_long_together"),
        ]

    def __str__(self) -> str:
        return self.public_id


class ReportPhoto(models.Model):
    """A photo, re-encoded on upload (no metadata kept). The coordinator may hide it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # the orphan-upload sweep asks which of a batch of file names rows hold (ops.services)
        indexes = [models.Index(fields=["file"], name="reportphoto_file")]


class ReportEvent(models.Model):
    """The history of a report; public events are the Open311 service request updates."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class ReportSequence(models.Model):
    """The last number given to a report in a month (public ids `PA-YYMM-NNNNNN`: unique, increasing;
    see services._next_public_id for when a number can be skipped)."""

    period = models.CharField(max_length=4, unique=True)  # YYMM
    last = models.PositiveIntegerField(default=0)


class ReferenceStamp(models.Model):
    """One row (id 1) whose token database triggers change on any write to the categories, their questions,
    the routing rules and the API keys: each process compares it with the token of its cached copy
    (`refcache.py`)."""

    token = models.CharField(max_length=64)
