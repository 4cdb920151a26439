"""Enums of the certificates app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HOUSEHOLD_REGISTER = "household_register", _("居民户口簿")
    RESIDENCE_PERMIT = "residence_permit", _("居住证")
    DRIVING_LICENCE = "driving_licence", _("机动车驾驶证")
    VEHICLE_LICENCE = "vehicle_licence", _("机动车行驶证")
    CATALOGUE_RESULT = "catalogue_result", _("事项办理结果")
    SEAL_FILING = "seal_filing", _("印章备案证明")


#: Type codes in the identifier (``1.2.156.3005.2.<type code>...``). The national catalogue of
#: certificate types assigns real codes; these are platform placeholders of the same shape
#: (letters and digits, no dot) and can be replaced with ONESTOP_CERTIFICATES["TYPE_CODES"].
DEFAULT_TYPE_CODES: dict[str, str] = {
    CertificateType.RESIDENT_ID: "OS0001",
    CertificateType.HOUSEHOLD_REGISTER: "OS0002",
    CertificateType.RESIDENCE_PERMIT: "OS0003",
    CertificateType.DRIVING_LICENCE: "OS0004",
    CertificateType.VEHICLE_LICENCE: "OS0005",
    CertificateType.CATALOGUE_RESULT: "OS0100",
    CertificateType.SEAL_FILING: "OS0101",
}

#: Default validity in years when the issuer gives no end date (None: long-term, 长期).
DEFAULT_VALIDITY_YEARS: dict[str, int | None] = {
    CertificateType.RESIDENT_ID: 20,
    CertificateType.HOUSEHOLD_REGISTER: None,
    CertificateType.RESIDENCE_PERMIT: 1,
    CertificateType.DRIVING_LICENCE: 6,
    CertificateType.VEHICLE_LICENCE: None,
    CertificateType.CATALOGUE_RESULT: None,
    CertificateType.SEAL_FILING: None,
}


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂停使用")
    REVOKED = "revoked", _("已注销")
    EXPIRED = "expired", _("已过期")


class KeyKind(models.TextChoices):
    ROOT = "root", _("平台根证书")
    UNIT = "unit", _("单位签发证书")
    ESEAL = "eseal", _("电子印章证书")


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("使用中")
    RETIRED = "retired", _("已轮换停用")
    REVOKED = "revoked", _("已吊销")


class TokenAlgorithm(models.TextChoices):
    """How a certificate's QR token is signed (the PDF is always PAdES with ES256)."""

    ES256 = "ES256", _("ES256（ECDSA P-256 / SHA-256）")
    SM2 = "SM2", _("SM2 / SM3（国密）")


class ScanChannel(models.TextChoices):
    PAGE = "page", _("核验页面")
    QR = "qr", _("扫码")
    API = "api", _("接口")
    SHARE = "share", _("分享链接")
