"""Append-only, hash-chained audit log: every service write adds exactly one entry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Refuses bulk updates and deletes: the audit tables only grow (archiving prunes through
    `audit.archive`, which records an anchor first)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计日志只能追加，不能删除")


AuditEntryQuerySet = AppendOnlyQuerySet


class AuditEntry(models.Model):
    """One audited state change. `entry_hash` = SHA-256(prev_hash ‖ canonical JSON of this entry)."""

    seq = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    ip_address = models.CharField("来源地址", max_length=64, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True)
    event = models.CharField("事件", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["organization", "event"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计日志只能追加，不能删除")


class AuditAnchor(models.Model):
    """Where the chain resumes after an archive: entries up to `last_seq` were exported and pruned.

    The first remaining entry's `prev_hash` must equal `last_hash`; the archive file (with its SHA-256)
    holds the pruned entries and verifies on its own from `first_prev_hash`.
    """

    created_at = models.DateTimeField("归档时间", auto_now_add=True)
    first_seq = models.BigIntegerField("首条序号")
    last_seq = models.BigIntegerField("末条序号", unique=True)
    first_prev_hash = models.CharField("首条的前一条哈希", max_length=64)
    last_hash = models.CharField("末条哈希", max_length=64)
    entry_count = models.PositiveIntegerField("条数")
    archived_before = models.DateTimeField("归档截止时间")
    archive_name = models.CharField("归档文件名", max_length=255)
    archive_sha256 = models.CharField("归档文件 SHA-256", max_length=64)

    class Meta:
        verbose_name = "审计日志归档锚点"
        verbose_name_plural = "审计日志归档锚点"
        ordering = ["-last_seq"]

    def __str__(self) -> str:
        return f"#{self.first_seq}–#{self.last_seq} → {self.archive_name}"


class TransparencyLeaf(models.Model):
    """A record registered in the public transparency log (draw and match records, published results).

    leaf_hash = SHA-256(0x00 ‖ canonical JSON {index, kind, ref, digest}) — RFC 6962 style.
    """

    index = models.BigIntegerField("叶子序号", unique=True)
    kind = models.CharField("类别", max_length=32, db_index=True)
    ref = models.CharField("记录标识", max_length=128)
    digest = models.CharField("记录摘要", max_length=128)
    leaf_hash = models.CharField("叶子哈希", max_length=64)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "透明日志记录"
        verbose_name_plural = "透明日志记录"
        ordering = ["index"]
        indexes = [models.Index(fields=["kind", "ref"])]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}:{self.ref}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("透明日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("透明日志只能追加，不能删除")


class TreeHead(models.Model):
    """A signed tree head: the Merkle root over the first `tree_size` leaves, signed with Ed25519.

    It also anchors the audit chain (`audit_seq`, `audit_hash`), so rewriting the whole chain after a
    published head is detected too.
    """

    tree_size = models.BigIntegerField("叶子数")
    root_hash = models.CharField("树根哈希", max_length=64)
    audit_seq = models.BigIntegerField("审计日志末条序号", null=True, blank=True)
    audit_hash = models.CharField("审计日志末条哈希", max_length=64, blank=True)
    signed_at = models.DateTimeField("签名时间", db_index=True)
    key_id = models.CharField("公钥指纹", max_length=64)
    signature = models.CharField("签名", max_length=128)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "签名树头"
        verbose_name_plural = "签名树头"
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.signed_at:%Y-%m-%d} size={self.tree_size} root={self.root_hash[:12]}…"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("树头只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("树头只能追加，不能删除")
