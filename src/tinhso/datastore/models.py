"""The citizen's personal data store (kho dữ liệu cá nhân) and the record of who read it.

- `StoredDocument`: one paper in one citizen's store. A result that concerns several people (a birth
  certificate: each parent) is one row per person, all pointing at the same stored file.
- `DataAccessLog`: every read of a citizen's stored data by an official, allowed or refused. Append-only.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .vocabulary import DocType, Origin


class StoredDocument(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stored_documents",
                              verbose_name=_("chủ sở hữu"))
    doc_type = models.CharField(_("loại giấy tờ"), max_length=20, choices=DocType.choices)
    title = models.CharField(_("tên giấy tờ"), max_length=300)
    number = models.CharField(_("số"), max_length=60, blank=True)
    issuer = models.CharField(_("cơ quan cấp"), max_length=300, blank=True)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    valid_until = models.DateField(_("có giá trị đến"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to="datastore/%Y/%m/", max_length=255)
    original_filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    origin = models.CharField(_("nguồn"), max_length=10, choices=Origin.choices)
    source_dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="stored_results", verbose_name=_("hồ sơ cấp"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("cán bộ đối chiếu"))
    data = models.JSONField(default=dict, blank=True,
                            help_text="facts the paper states (e.g. the child's name), offered to prefill forms")
    created_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("giấy tờ trong kho dữ liệu")
        constraints = [
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="storeddoc_origin_valid"),
            models.CheckConstraint(condition=Q(doc_type__in=DocType.values), name="storeddoc_type_valid"),
            models.CheckConstraint(condition=~Q(origin=Origin.TINHSO) | Q(source_dossier__isnull=False),
                                   name="storeddoc_tinhso_has_dossier"),
            models.CheckConstraint(condition=~Q(origin=Origin.OFFICIAL) | Q(verified_by__isnull=False),
                                   name="storeddoc_verified_has_official"),
            models.CheckConstraint(condition=Q(removed_at__isnull=True) | Q(origin=Origin.SELF),
                                   name="storeddoc_only_self_declared_removed"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(issued_on__isnull=True)
                                   | Q(valid_until__gte=F("issued_on")), name="storeddoc_valid_after_issue"),
            models.UniqueConstraint(fields=["owner", "source_dossier"], condition=Q(source_dossier__isnull=False),
                                    name="storeddoc_one_result_per_person"),
        ]
        indexes = [models.Index(fields=["owner", "removed_at"]),
                   # the orphan-upload sweep asks which of a batch of file names rows hold (ops.services)
                   models.Index(fields=["file"], name="storeddoc_file")]

    def __str__(self) -> str:
        return self.title

    @property
    def verified(self) -> bool:
        return self.origin in (Origin.TINHSO, Origin.OFFICIAL)

    def valid_on(self, day) -> bool:
        return self.valid_until is None or self.valid_until >= day


class DataAccessLog(models.Model):
    """One read (or refused read) of a citizen's stored data by an official. Never updated or deleted."""

    class What(models.TextChoices):
        LIST = "list", _("Xem danh sách giấy tờ")
        OPEN = "open", _("Mở giấy tờ")
        REUSE = "reuse", _("Dùng giấy tờ cho hồ sơ tại quầy")
        VERIFY = "verify", _("Đối chiếu với bản chính")

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_access_logs")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("places.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dossier_code = models.CharField(max_length=32, blank=True)
    document = models.ForeignKey(StoredDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=10, choices=What.choices)
    at = models.DateTimeField()
    allowed = models.BooleanField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["citizen", "-at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("DataAccessLog is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("DataAccessLog is append-only")
