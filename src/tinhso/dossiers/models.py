"""Dossiers (hồ sơ TTHC): what arrives, who handles it, when it is due, what happened to it.

A dossier keeps a snapshot of the procedure's rules at the time it was received (name, time limit,
workflow steps with their shares), so that a later change of the catalog never moves a due time that
was promised to a citizen.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .states import Action, Channel, State


class Dossier(models.Model):
    class ReturnMethod(models.TextChoices):
        ONLINE = "online", _("Trực tuyến")
        DESK = "desk", _("Tại bộ phận một cửa")
        POST = "post", _("Qua bưu chính công ích")

    code = models.CharField(_("mã hồ sơ"), max_length=32, unique=True, null=True, blank=True)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="dossiers")
    procedure_code = models.CharField(_("mã thủ tục"), max_length=20)
    procedure_name = models.CharField(_("tên thủ tục"), max_length=500)
    # No single-column indexes on agency, state and applicant: the composite indexes of Meta lead with them
    # (every dossier written updated three indexes nothing needed).
    agency = models.ForeignKey("places.Agency", on_delete=models.PROTECT, related_name="dossiers",
                               verbose_name=_("cơ quan giải quyết"), db_index=False)
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    state = models.PositiveSmallIntegerField(_("trạng thái"), choices=State.choices)

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="dossiers", verbose_name=_("người nộp"), db_index=False)
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=150)
    applicant_cccd = models.CharField(_("số CCCD"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    search_key = models.TextField(default="", blank=True, editable=False,
                                  help_text="applicant and procedure, lower-case without diacritics, for search")
    submit_token = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                    help_text="one token per form shown: the same form submitted twice is one dossier")

    # time limit snapshot and clock
    limit_kind = models.CharField(max_length=20)
    limit_amount = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("thời điểm nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    counting_from = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả kết quả"), null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_total_seconds = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(_("thời điểm xử lý xong"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    supplement_count = models.PositiveSmallIntegerField(default=0)
    reappointed = models.BooleanField(default=False)
    current_step = models.PositiveSmallIntegerField(default=0)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_dossiers", verbose_name=_("người đang xử lý"))
    fee_amount = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    return_method = models.CharField(_("hình thức nhận kết quả"), max_length=10, choices=ReturnMethod.choices,
                                     default=ReturnMethod.ONLINE)
    result_file = models.FileField(_("kết quả"), upload_to="results/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    state_note = models.TextField(_("lý do"), blank=True)
    warned_due_soon = models.BooleanField(default=False)
    warned_late = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        constraints = [
            models.CheckConstraint(condition=Q(state__gte=1, state__lte=10), name="dossier_state_valid"),
            models.CheckConstraint(condition=Q(channel__gte=1, channel__lte=3), name="dossier_channel_valid"),
            models.CheckConstraint(condition=Q(state=State.SUBMITTED) | Q(state=State.REFUSED) | Q(state=State.WITHDRAWN, received_at__isnull=True) | Q(code__isnull=False),
                                   name="dossier_received_has_code"),
        ]
        indexes = [
            models.Index(fields=["agency", "state"]),
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["state", "due_at"]),
            # The warning sweep reads only the running dossiers not yet warned: once warned, a row leaves
            # these partial indexes, so the sweep never rescans what it already handled.
            models.Index(fields=["due_at"], condition=Q(state__in=[2, 4], warned_late=False), name="dossier_owed_late"),
            models.Index(fields=["due_at"], condition=Q(state__in=[2, 4], warned_due_soon=False), name="dossier_owed_due_soon"),
            # the orphan-upload sweep asks which of a batch of file names rows hold (ops.services)
            models.Index(fields=["result_file"], name="dossier_result_file"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label


class DailySequence(models.Model):
    """The last sequence number given to an agency on a day: codes are gapless and unique."""

    agency = models.ForeignKey("places.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="uniq_sequence_agency_day")]


class DossierComponent(models.Model):
    """One paper of the dossier: an uploaded file, or a paper counted at the desk."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    key = models.CharField(max_length=60)
    name = models.CharField(_("thành phần"), max_length=300)
    file = models.FileField(upload_to="dossiers/%Y/%m/", blank=True)
    original_filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    originals = models.PositiveSmallIntegerField(default=0)
    certified_copies = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    supplement_round = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Once-only (Decree 45/2020): a paper attached by reference to the citizen's data store, not uploaded.
    reused_from = models.ForeignKey("datastore.StoredDocument", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reuses", verbose_name=_("tái sử dụng từ"))
    reuse_source = models.CharField(_("nguồn tái sử dụng"), max_length=10, blank=True,
                                    choices=[("", _("Tải lên hoặc bản giấy")),
                                             ("datastore", _("Kho dữ liệu cá nhân")),
                                             ("dossier", _("Hồ sơ đã nộp trước"))])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(reuse_source__in=["", "datastore", "dossier"]),
                                   name="component_reuse_source_valid"),
            models.CheckConstraint(condition=~Q(reuse_source="datastore") | Q(reused_from__isnull=False),
                                   name="component_reused_from_store_has_document"),
            models.CheckConstraint(condition=Q(reused_from__isnull=True) | ~Q(reuse_source=""),
                                   name="component_reused_has_source"),
        ]
        # the orphan-upload sweep asks which of a batch of file names rows hold (ops.services)
        indexes = [models.Index(fields=["file"], name="component_file")]

    @property
    def reused(self) -> bool:
        return bool(self.reuse_source)


class DossierStep(models.Model):
    """A step of the dossier's internal workflow, with its own share of the time and due time."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Chưa đến")
        ACTIVE = "active", _("Đang thực hiện")
        DONE = "done", _("Đã xong")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20)
    share_percent = models.PositiveSmallIntegerField()
    agency = models.ForeignKey("places.Agency", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    warned_due_soon = models.BooleanField(default=False)
    warned_late = models.BooleanField(default=False)
    # The step was sent to an agency other than the dossier's own (forwarding): that agency sees the
    # dossier too (access.dossiers_visible_to reads only these steps, through a small partial index).
    # A database default, so that bulk loaders that list their columns keep working.
    forwarded = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="uniq_step_order"),
            models.UniqueConstraint(fields=["dossier"], condition=Q(status="active"), name="one_active_step"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["due_at"], condition=Q(status="active", warned_late=False), name="step_owed_late"),
            models.Index(fields=["due_at"], condition=Q(status="active", warned_due_soon=False), name="step_owed_due_soon"),
            models.Index(fields=["agency", "dossier"], condition=Q(forwarded=True), name="step_forwarded_agency"),
            # The inbox boxes "to process" and "to approve": the active steps of one agency.
            models.Index(fields=["agency", "dossier"], condition=Q(status="active"), name="step_active_agency"),
        ]


class DossierEvent(models.Model):
    """The history of a dossier: every transition, written in the transaction of the change."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=30, choices=Action.choices)
    from_state = models.PositiveSmallIntegerField(null=True, blank=True, choices=State.choices)
    to_state = models.PositiveSmallIntegerField(choices=State.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    @property
    def action_label(self) -> str:
        return Action(self.action).label


class Handover(models.Model):
    """A row of the processing control slip: one hand-over, early / on time / late against the step."""

    class Timeliness(models.TextChoices):
        EARLY = "early", _("Trước hạn")
        ON_TIME = "on_time", _("Đúng hạn")
        LATE = "late", _("Quá hạn")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    step = models.PositiveSmallIntegerField()
    agency = models.ForeignKey("places.Agency", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=200)
    step_due_at = models.DateTimeField(null=True)
    timeliness = models.CharField(max_length=10, choices=Timeliness.choices)

    class Meta:
        ordering = ["id"]


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.TextField()
    items = models.JSONField(default=list)  # [{"key":..., "name":...}]
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["dossier"], condition=Q(answered_at__isnull=True),
                                               name="one_open_supplement_request")]


class PaymentRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payment_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    amount = models.PositiveBigIntegerField()
    purpose = models.CharField(max_length=200)
    qr_payload = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["dossier"], condition=Q(paid_at__isnull=True),
                                               name="one_open_payment_request")]


class Apology(models.Model):
    """The apology letter with ONE new appointment (Decree 61 art. 19): a second one is refused."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    reason = models.TextField()
    previous_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()


class Warning(models.Model):
    """A due-soon or late warning to one official: unique, so a sweep run twice sends nothing twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Sắp đến hạn")
        LATE = "late", _("Quá hạn")

    # No separate indexes on the two keys: the unique constraint leads with the dossier and the
    # (recipient, read_at) index with the recipient; every index less is less work for the sweep's inserts.
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="warnings", db_index=False)
    step = models.PositiveSmallIntegerField(default=0)  # 0 = the dossier itself
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_warnings",
                                  db_index=False)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Taken by a sender before it sends (outside any transaction); a sender killed before marking
    # `emailed_at` leaves the claim, which expires after WARNINGS_EMAIL_LEASE_SECONDS (warnings.py).
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "step", "kind", "recipient"], name="uniq_warning")]
        indexes = [models.Index(fields=["emailed_at"]), models.Index(fields=["recipient", "read_at"])]


class Rating(models.Model):
    class Level(models.TextChoices):
        SATISFIED = "satisfied", _("Hài lòng")
        ACCEPTABLE = "acceptable", _("Chấp nhận được")
        UNSATISFIED = "unsatisfied", _("Không hài lòng")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    level = models.CharField(max_length=12, choices=Level.choices)
    criteria = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()


class Complaint(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="complaints")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()


class IdempotencyKey(models.Model):
    """A request that creates a dossier, remembered under the key its sender gave (the `Idempotency-Key`
    header of the API, the hidden token of the desk form) for `idempotency.KEY_TTL` (24 hours): the same
    key from the same user at the same endpoint is answered with the first result and creates nothing;
    with a different request it is refused. Written only by services.py: the row is inserted first in the
    dossier's own transaction, so two concurrent retries queue on the unique index and make one dossier."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    scope = models.CharField(max_length=40, help_text="the endpoint, e.g. api.desk_register")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the request's fields and files")
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="the first answer, sent again on a replay")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="uniq_idempotency_key")]


class PaperUpload(models.Model):
    """A paper uploaded ahead of the submission that will carry it (the API's `POST /api/v1/uploads`; the portal
    uploads each paper as soon as it is chosen). Checked by content and stored at once; the submission that names
    its token takes the file over as a `DossierComponent` and deletes this row in its own transaction, so a paper
    is used once. Only its owner can use it; `UPLOAD_TTL` (24 hours) after the upload an unused paper is purged
    with its file. Written only by services.py."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    token = models.CharField(max_length=43, unique=True)
    file = models.FileField(upload_to="dossiers/%Y/%m/")
    original_filename = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=8, help_text="pdf | jpg | png, from the content")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # No index of its own: the hourly purge reads a table of unused papers only (small); the cap per owner is
    # counted on (owner, created_at).
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["owner", "created_at"], name="paperupload_owner_recent"),
                   models.Index(fields=["file"], name="paperupload_file")]  # the media orphans sweep's lookups
