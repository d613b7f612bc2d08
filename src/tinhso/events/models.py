from django.conf import settings
from django.db import models


class DomainEvent(models.Model):
    """One thing that happened in a domain, written in the same transaction as the change."""

    name = models.CharField("tên sự kiện", max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_type = models.CharField("loại đối tượng", max_length=60)
    subject_id = models.CharField("mã đối tượng", max_length=60)
    data = models.JSONField("dữ liệu", default=dict, blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "sự kiện"
        verbose_name_plural = "sự kiện"
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} {self.subject_type}:{self.subject_id}"
