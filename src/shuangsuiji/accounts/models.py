"""Regions (行政区划), organizations, users and roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from shuangsuiji.common.crypto import EncryptedTextField


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）"


class Region(models.Model):
    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path "/130000/130600/130606/" so a subtree is one prefix query.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    adjacent = models.ManyToManyField("self", verbose_name="相邻区划", blank=True, symmetrical=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = (self.parent.path if self.parent else "/") + f"{self.code}/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        names: list[str] = []
        region: Region | None = self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


class OrganizationKind(models.TextChoices):
    HEALTH_BUREAU = "health_bureau", "卫生健康局"
    SUPERVISION_INSTITUTE = "supervision_institute", "卫生监督所"
    SECTION = "section", "科室/股室"
    OTHER_DEPARTMENT = "other_department", "其他部门"


class Organization(models.Model):
    """A bureau, an institute, a 科室 or another department. Data is owned by bureau-level units."""

    name = models.CharField("名称", max_length=128)
    short_name = models.CharField("简称", max_length=64, blank=True)
    code = models.CharField("机构代码", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=32, choices=OrganizationKind.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="organizations")
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The line of government the unit belongs to ("卫生健康", "文化和旅游", "医疗保障", "市场监管" …):
    # an upper level reads its subordinates' data only within the same line.
    system = models.CharField("系统", max_length=32, default="卫生健康")
    specialties = models.ManyToManyField(
        "directory.Specialty", verbose_name="负责专业", blank=True, related_name="organizations"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["region__code", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def bureau(self) -> Organization:
        """The data-owning unit: 科室 and 监督所 belong to their parent bureau's scope."""
        org = self
        while org.kind in (OrganizationKind.SECTION, OrganizationKind.SUPERVISION_INSTITUTE) and org.parent_id:
            assert org.parent is not None
            org = org.parent
        return org


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
    PROGRAM_ADMIN = "program_admin", "双随机办管理员"
    SECTION_STAFF = "section_staff", "科室人员"
    INSPECTOR = "inspector", "执法人员"
    LEADER = "leader", "领导"
    SUPERVISOR = "supervisor", "上级监督"


class User(AbstractUser):
    real_name = models.CharField("姓名", max_length=64, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.SECTION_STAFF)
    phone = EncryptedTextField("手机号", blank=True, default="")
    is_demo = models.BooleanField("演示账号", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, editable=False)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # create_user() hashes without set_password(), so Django's password_changed hook does not run:
        # start the password's age and history here for new accounts.
        creating = self._state.adding
        usable = bool(self.password) and self.has_usable_password()
        record = creating and usable and self._password is None  # type: ignore[attr-defined]
        if creating and usable and self.password_changed_at is None:
            self.password_changed_at = timezone.now()
        super().save(*args, **kwargs)
        if record:
            PasswordHistory.objects.create(user=self, password_hash=self.password)


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords (the password policy forbids reusing the last 5)."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history")
    password_hash = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64)
    key_hash = models.CharField("令牌哈希", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"
