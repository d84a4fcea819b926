"""The project's own records: API tokens and keys, and the security audit log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_secret(raw: str) -> str:
    """Tokens and keys are stored as SHA-256 digests: a leaked table grants nothing."""
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessToken(models.Model):
    """A personal API token: revocable, expiring, stored hashed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("用户")
    )
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(32)


class AuditEvent(models.Model):
    """Append-only log of security events (log-ins, lockouts, refusals, exports, admin actions)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        LOGOUT = "logout", _("退出登录")
        UNLOCK = "unlock", _("解除锁定")
        TOKEN_ISSUED = "token_issued", _("签发令牌")
        TOKEN_REVOKED = "token_revoked", _("撤销令牌")
        PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
        EXPORT = "export", _("导出数据")
        ADMIN_ACTION = "admin_action", _("管理操作")
        PERSONAL_DATA = "personal_data", _("个人信息处理")

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    path = models.CharField(_("路径"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("安全审计日志")
        verbose_name_plural = _("安全审计日志")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Audit events cannot be deleted.")


def default_api_key_expiry() -> datetime:
    """Keys expire after a year unless the office chooses otherwise; a forgotten key dies on its own."""
    return timezone.now() + timedelta(days=365)


api_rate_validator = RegexValidator(
    r"^[1-9][0-9]{0,6}/(s|sec|second|m|min|minute|h|hour|d|day)$",
    _("频率格式应为“次数/时间单位”，例如 600/min、10000/hour、50000/day。"),
)


class ApiKey(models.Model):
    """A reporting system's credential (not a person's): township-scoped, read-only, stored hashed.

    Sent as `Authorization: Api-Key <key>`; the caller then acts as the reporting role of the
    key's township (portal.apikeys). The raw key is shown once, when it is created.
    """

    name = models.CharField(_("名称"), max_length=100, help_text=_("使用该密钥的系统，例如“县作风办数据平台”。"))
    township = models.ForeignKey(
        "cadres.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乡镇"),
        help_text=_("留空表示全县：可读取所有乡镇的数据。"),
    )
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    rate = models.CharField(
        _("频率限制"),
        max_length=20,
        default="600/min",
        validators=[api_rate_validator],
        help_text=_("该密钥每个时间单位最多可发出的请求数，例如 600/min。"),
    )
    # Keys are read-only in v1: every unsafe method is refused before a view runs.
    read_only = models.BooleanField(_("只读"), default=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("过期时间"), default=default_api_key_expiry)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
