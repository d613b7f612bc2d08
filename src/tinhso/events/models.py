from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DomainEvent(models.Model):
    """One thing that happened in a domain, written in the same transaction as the change."""

    name = models.CharField(_("tên sự kiện"), max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_type = models.CharField(_("loại đối tượng"), max_length=60)
    subject_id = models.CharField(_("mã đối tượng"), max_length=60)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("sự kiện")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} {self.subject_type}:{self.subject_id}"
