"""The hash chains: one `ChainLink` per chained record, numbered 1, 2, 3… within its stream
("dossier:123", "citizen:45"), and one `ChainHead` per stream holding its last link.

Both are append-only: a link is never updated or deleted (refused by the ORM here and by database
triggers, see `triggers.py`); a head only moves forward. The head is what `chain_append` locks so
that two transactions never take the same number, and what reveals a chain cut at its end.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """An update or deletion of an append-only row was attempted."""


class ChainLink(models.Model):
    stream = models.CharField(_("luồng"), max_length=80)
    seq = models.PositiveBigIntegerField(_("số thứ tự"))
    record_type = models.CharField(_("loại bản ghi"), max_length=60)
    record_id = models.BigIntegerField(_("mã bản ghi"))
    record_hash = models.CharField(_("mã băm bản ghi"), max_length=64)
    prev_hash = models.CharField(_("mã băm mắt xích trước"), max_length=64)
    link_hash = models.CharField(_("mã băm mắt xích"), max_length=64)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("mắt xích kiểm toán")
        verbose_name_plural = _("mắt xích kiểm toán")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_link_stream_seq_unique"),
            models.UniqueConstraint(fields=["record_type", "record_id"], name="audit_link_one_per_record"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="audit_link_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("ChainLink is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ChainLink is append-only")


class ChainHead(models.Model):
    stream = models.CharField(_("luồng"), max_length=80, primary_key=True)
    seq = models.PositiveBigIntegerField(_("số thứ tự cuối"), default=0)
    link_hash = models.CharField(_("mã băm mắt xích cuối"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("đầu chuỗi kiểm toán")
        verbose_name_plural = _("đầu chuỗi kiểm toán")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ChainHead is never deleted")
