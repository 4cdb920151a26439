"""Electronic certificates (电子证照), the platform CA's keys, scans and share links.

Tables only; every write goes through ``onestop.certificates.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import EncryptedTextField, LookupHashField
from onestop.core.models import TimeStampedModel
from onestop.core.pii import mask_id_number, mask_name

from .choices import (
    CertificateStatus,
    CertificateType,
    KeyKind,
    KeyStatus,
    ScanChannel,
    TokenAlgorithm,
)


class SigningKey(TimeStampedModel):
    """One key pair of the platform CA: the root, a unit's signing key, or an enterprise e-seal.

    The certificate (public) is stored here; the private key lives in an encrypted file under
    the key directory (``<var>/pki/<kid>.key``), wrapped with the project's PII key material
    (``onestop.core.pii.encrypt``), so a database dump alone discloses no key.

    ``algorithm`` ES256 keys have an X.509 certificate under the root; SM2 keys (QR tokens and
    the SM2 status list only) have none: their public key is ``sm2_public_key`` and
    ``certificate_pem``/``serial_hex`` stay empty.
    """

    kid = models.CharField(_("密钥标识"), max_length=32, unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=KeyKind.choices)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    subject = models.CharField(_("证书主题"), max_length=300)
    algorithm = models.CharField(_("算法"), max_length=20, default="ES256")
    certificate_pem = models.TextField(_("证书（PEM）"), blank=True)
    sm2_public_key = models.CharField(_("SM2 公钥"), max_length=128, blank=True)
    serial_hex = models.CharField(_("证书序列号"), max_length=64)
    not_before = models.DateTimeField(_("生效时间"))
    not_after = models.DateTimeField(_("失效时间"))
    status = models.CharField(
        _("状态"), max_length=8, choices=KeyStatus.choices, default=KeyStatus.ACTIVE
    )
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revocation_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")

    def __str__(self) -> str:
        return f"{self.subject} ({self.kid})"


class UnitIssuer(models.Model):
    """What a unit needs to issue certificates: its unified social credit code (the issuer
    component of the identifier) and the serial counter."""

    unit = models.OneToOneField(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="issuer"
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    last_serial = models.PositiveIntegerField(_("已用流水号"), default=0)
    token_algorithm = models.CharField(
        _("二维码令牌签名算法"),
        max_length=8,
        choices=TokenAlgorithm.choices,
        blank=True,
        help_text=_("留空则使用平台默认设置。"),
    )

    class Meta:
        verbose_name = _("证照签发单位")
        verbose_name_plural = _("证照签发单位")

    def __str__(self) -> str:
        return f"{self.unit} {self.credit_code}"


class Certificate(TimeStampedModel):
    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    cert_type = models.CharField(_("证照类型"), max_length=24, choices=CertificateType.choices)
    title = models.CharField(_("证照名称"), max_length=200)
    serial = models.PositiveIntegerField(_("流水号"))
    version = models.PositiveSmallIntegerField(_("版本号"), default=1)
    issuing_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("颁发单位"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("持证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("持证企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_name = models.CharField(_("持证主体名称"), max_length=200)
    holder_id = EncryptedTextField(_("持证主体证件号码"))
    holder_id_hash = LookupHashField()
    data = models.JSONField(_("证照数据"), default=dict, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        db_index=True,
    )
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("来源办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    signing_key = models.ForeignKey(
        SigningKey, verbose_name=_("签名密钥"), on_delete=models.PROTECT, related_name="+"
    )
    # the key of the QR token: the PDF's key for ES256 tokens, the unit's SM2 key for SM2 ones
    # (null on rows issued before SM2 existed: the token was signed with ``signing_key``)
    token_key = models.ForeignKey(
        SigningKey,
        verbose_name=_("二维码令牌密钥"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf = models.BinaryField(_("签名 PDF"), editable=False)
    pdf_sha256 = models.CharField(_("PDF 摘要"), max_length=64)
    token = models.TextField(_("二维码令牌"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "serial", "version"], name="one_serial_version_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.identifier}"

    @property
    def holder_masked(self) -> str:
        if self.holder_enterprise_id:
            return self.holder_name
        return mask_name(self.holder_name)

    @property
    def holder_id_masked(self) -> str:
        if self.holder_enterprise_id:
            return self.holder_id
        return mask_id_number(self.holder_id or "")

    @property
    def effective_status(self) -> str:
        """The stored status, or ``expired`` once the end date has passed (before the daily job
        has written it)."""
        if (
            self.status == CertificateStatus.VALID
            and self.valid_until is not None
            and self.valid_until < timezone.localdate()
        ):
            return CertificateStatus.EXPIRED
        return self.status

    @property
    def qr_key(self) -> SigningKey:
        return self.token_key or self.signing_key

    def get_effective_status_display(self) -> str:
        return str(CertificateStatus(self.effective_status).label)


class VerificationScan(models.Model):
    """One look-up of a certificate on the public page, by QR, by API or by share link."""

    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("电子证照"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scans",
    )
    identifier = models.CharField(_("查询的证照标识"), max_length=200)
    channel = models.CharField(_("渠道"), max_length=8, choices=ScanChannel.choices)
    result = models.CharField(_("结果"), max_length=20)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("核验记录")
        verbose_name_plural = _("核验记录")

    def __str__(self) -> str:
        return f"{self.identifier} {self.result}"


class ShareLink(TimeStampedModel):
    """A time-limited, revocable link a holder gives a bank or an employer."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("电子证照"), on_delete=models.CASCADE, related_name="shares"
    )
    created_by = models.ForeignKey(
        "accounts.Person", verbose_name=_("分享人"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.CharField(_("接收方"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    consent_at = models.DateTimeField(_("同意授权时间"))
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("查看次数"), default=0)
    last_viewed_at = models.DateTimeField(_("最近查看时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("分享链接")
        verbose_name_plural = _("分享链接")

    def __str__(self) -> str:
        return f"{self.certificate.identifier} → {self.recipient}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
