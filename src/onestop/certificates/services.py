"""Every write of the certificates app: the platform CA's keys, issuing (render + sign),
status changes, verification scans and share links. Keyword-only, atomic, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from onestop.accounts.models import Enterprise, Person, Unit
from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash, mask_name

from . import conf, identifiers, pki, render, signing, sm2, tokens
from .choices import (
    CertificateStatus,
    CertificateType,
    KeyKind,
    KeyStatus,
    ScanChannel,
    TokenAlgorithm,
)
from .errors import IllegalStatusChange, KeyUnavailable, ShareNotAllowed, UnsupportedAlgorithm
from .models import Certificate, ShareLink, SigningKey, UnitIssuer, VerificationScan
from .sealimage import seal_png

ROOT_NAME = "onestop 平台电子证照根证书"
SM2_ROOT_NAME = "onestop 平台电子证照 SM2 状态列表密钥"

# --- keys -------------------------------------------------------------------------------------


def _store_key(
    new: pki.NewKey,
    *,
    kind: str,
    unit: Unit | None = None,
    enterprise: Enterprise | None = None,
) -> SigningKey:
    pki.key_file_write(new.kid, new.private_key)
    cert = new.certificate
    return SigningKey.objects.create(
        kid=new.kid,
        kind=kind,
        unit=unit,
        enterprise=enterprise,
        subject=cert.subject.rfc4514_string()[:300],
        certificate_pem=new.certificate_pem,
        serial_hex=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _store_sm2_key(*, kind: str, subject: str, years: int, unit: Unit | None = None) -> SigningKey:
    """A new SM2 key: encrypted key file as for ES256 keys, the public key in the row (no X.509
    certificate: ``cryptography`` cannot make SM2 certificates)."""
    new = sm2.generate_private_key()
    kid = new.public.kid
    pki.key_file_write(kid, new)
    now = timezone.now()
    return SigningKey.objects.create(
        kid=kid,
        kind=kind,
        unit=unit,
        subject=subject[:300],
        algorithm=TokenAlgorithm.SM2,
        sm2_public_key=new.public.hex,
        not_before=now,
        not_after=now + dt.timedelta(days=365 * years),
    )


def root_key() -> SigningKey:
    """The active (ES256) root, created on first use."""
    active = SigningKey.objects.filter(
        kind=KeyKind.ROOT, status=KeyStatus.ACTIVE, algorithm=TokenAlgorithm.ES256
    )
    key = active.first()
    if key is not None:
        return key
    with transaction.atomic():
        key = active.select_for_update().first()
        if key is not None:
            return key
        new = pki.make_root(
            common_name=ROOT_NAME, years=conf.get("ROOT_CERT_YEARS"), now=timezone.now()
        )
        key = _store_key(new, kind=KeyKind.ROOT)
        audit_log(actor=None, action="certificates.root_created", obj=key, summary={"kid": key.kid})
        return key


def sm2_root_key() -> SigningKey:
    """The platform's SM2 key that signs the SM2 status list (the counterpart of the root for
    ``verify_offline_sm2.py``), created on first use."""
    active = SigningKey.objects.filter(
        kind=KeyKind.ROOT, status=KeyStatus.ACTIVE, algorithm=TokenAlgorithm.SM2
    )
    key = active.first()
    if key is not None:
        return key
    with transaction.atomic():
        key = active.select_for_update().first()
        if key is not None:
            return key
        key = _store_sm2_key(
            kind=KeyKind.ROOT, subject=f"CN={SM2_ROOT_NAME}", years=conf.get("ROOT_CERT_YEARS")
        )
        audit_log(
            actor=None,
            action="certificates.root_created",
            obj=key,
            summary={"kid": key.kid, "algorithm": key.algorithm},
        )
        return key


def root_certificate() -> x509.Certificate:
    return pki.load_certificate(root_key().certificate_pem)


def trust_roots() -> list[x509.Certificate]:
    """Every root that ever signed (a retired root still vouches for what it signed)."""
    return [
        pki.load_certificate(k.certificate_pem)
        for k in SigningKey.objects.filter(
            kind=KeyKind.ROOT, algorithm=TokenAlgorithm.ES256
        ).exclude(status=KeyStatus.REVOKED)
    ]


def _issue_leaf(
    *, common_name: str, organisation: str, years: int
) -> tuple[pki.NewKey, SigningKey]:
    root = root_key()
    new = pki.make_leaf(
        common_name=common_name,
        organisation=organisation,
        years=years,
        now=timezone.now(),
        issuer_key=_private_key(root),
        issuer_cert=pki.load_certificate(root.certificate_pem),
    )
    return new, root


def _private_key(key: SigningKey) -> Any:
    """The private key of a platform key row (ES256 ``cryptography`` key or ``SM2PrivateKey``)."""
    try:
        if key.algorithm == TokenAlgorithm.SM2:
            return pki.load_sm2_private_key(key.kid)
        return pki.load_private_key(key.kid)
    except pki.KeyFileMissing as exc:
        raise KeyUnavailable() from exc


def _active_unit_key(unit: Unit, algorithm: str) -> SigningKey | None:
    return SigningKey.objects.filter(
        kind=KeyKind.UNIT,
        unit=unit,
        algorithm=algorithm,
        status=KeyStatus.ACTIVE,
        not_after__gt=timezone.now(),
    ).first()


@transaction.atomic
def unit_signing_key(*, unit: Unit) -> SigningKey:
    """The unit's active (ES256) signing key, created (under the root) on first use; it signs
    the PDFs and the ES256 QR tokens."""
    key = _active_unit_key(unit, TokenAlgorithm.ES256)
    if key is not None:
        return key
    Unit.objects.select_for_update().get(pk=unit.pk)
    key = _active_unit_key(unit, TokenAlgorithm.ES256)
    if key is not None:
        return key
    new, _root = _issue_leaf(
        common_name=f"{unit.name} 电子证照签发",
        organisation=unit.name,
        years=conf.get("UNIT_CERT_YEARS"),
    )
    key = _store_key(new, kind=KeyKind.UNIT, unit=unit)
    audit_log(actor=None, action="certificates.key_created", obj=key, unit=unit)
    return key


@transaction.atomic
def unit_sm2_key(*, unit: Unit) -> SigningKey:
    """The unit's active SM2 key for QR tokens, created on first use."""
    key = _active_unit_key(unit, TokenAlgorithm.SM2)
    if key is not None:
        return key
    Unit.objects.select_for_update().get(pk=unit.pk)
    key = _active_unit_key(unit, TokenAlgorithm.SM2)
    if key is not None:
        return key
    key = _store_sm2_key(
        kind=KeyKind.UNIT,
        unit=unit,
        subject=f"CN={unit.name} 电子证照签发 (SM2),O={unit.name}",
        years=conf.get("UNIT_CERT_YEARS"),
    )
    audit_log(
        actor=None,
        action="certificates.key_created",
        obj=key,
        unit=unit,
        summary={"kid": key.kid, "algorithm": key.algorithm},
    )
    return key


def unit_token_algorithm(unit: Unit) -> str:
    """The algorithm of the unit's QR tokens: its issuer setting, else the platform's."""
    setting = UnitIssuer.objects.filter(unit=unit).values_list("token_algorithm", flat=True)
    return conf.token_algorithm(setting.first() or "")


def unit_token_key(*, unit: Unit) -> SigningKey:
    """The key that signs the unit's QR tokens (ES256 unit key or SM2 unit key)."""
    if unit_token_algorithm(unit) == TokenAlgorithm.SM2:
        return unit_sm2_key(unit=unit)
    return unit_signing_key(unit=unit)


@transaction.atomic
def signing_key_rotate(*, actor: Any, unit: Unit) -> SigningKey:
    """Retire the unit's active keys (ES256 and SM2; they still verify what they signed) and
    create a new ES256 key, and a new SM2 key when the unit's tokens are SM2."""
    now = timezone.now()
    retired = list(
        SigningKey.objects.select_for_update().filter(
            kind=KeyKind.UNIT, unit=unit, status=KeyStatus.ACTIVE
        )
    )
    for old in retired:
        old.status = KeyStatus.RETIRED
        old.retired_at = now
        old.save(update_fields=["status", "retired_at", "updated_at"])
    key = unit_signing_key(unit=unit)
    summary: dict[str, Any] = {"new_kid": key.kid, "retired": [k.kid for k in retired]}
    if unit_token_algorithm(unit) == TokenAlgorithm.SM2:
        summary["new_sm2_kid"] = unit_sm2_key(unit=unit).kid
    audit_log(actor=actor, action="certificates.key_rotated", obj=key, unit=unit, summary=summary)
    return key


@transaction.atomic
def signing_key_revoke(*, actor: Any, key: SigningKey, reason: str) -> SigningKey:
    """Revoke a key (compromise): whatever it signed no longer verifies as trustworthy."""
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.status == KeyStatus.REVOKED:
        return key
    key.status = KeyStatus.REVOKED
    key.revoked_at = timezone.now()
    key.revocation_reason = reason[:200]
    key.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
    audit_log(
        actor=actor,
        action="certificates.key_revoked",
        obj=key,
        unit=key.unit,
        summary={"kid": key.kid, "reason": reason[:200]},
    )
    return key


@transaction.atomic
def eseal_key_create(*, actor: Any, enterprise: Enterprise, label: str) -> SigningKey:
    """A key pair and certificate for an enterprise's electronic seal (used by ``seals``)."""
    new, _root = _issue_leaf(
        common_name=f"{enterprise.name} {label}"[:64],
        organisation=enterprise.name,
        years=conf.get("ESEAL_CERT_YEARS"),
    )
    key = _store_key(new, kind=KeyKind.ESEAL, enterprise=enterprise)
    audit_log(
        actor=actor,
        action="certificates.eseal_key_created",
        obj=key,
        summary={"kid": key.kid, "enterprise": enterprise.credit_code},
    )
    return key


def sign_pdf_with_key(
    *,
    key: SigningKey,
    pdf: bytes,
    reason: str = "",
    location: str = "",
    stamp: signing.VisibleStamp | None = None,
    field_name: str = "Signature1",
) -> bytes:
    """PAdES-sign ``pdf`` with a platform key (unit or e-seal), chain up to its root."""
    if key.status == KeyStatus.REVOKED:
        raise KeyUnavailable()
    return signing.sign_pdf(
        pdf,
        key=_private_key(key),
        cert=pki.load_certificate(key.certificate_pem),
        chain=[root_certificate()],
        reason=reason,
        location=location,
        stamp=stamp,
        field_name=field_name,
    )


# --- issuers ----------------------------------------------------------------------------------


def _derived_credit_code(unit: Unit) -> str:
    """A fictitious but well-formed code for an organ of state (类别 1, 机关 1) when a unit has
    none configured: 11 + region + MB + 7 digits + GB 32100 check character."""
    body = f"11{unit.region_code}MB{unit.pk % 10_000_000:07d}"
    return body + uscc.calc_check_digit(body)


@transaction.atomic
def unit_issuer_set(
    *, actor: Any, unit: Unit, credit_code: str = "", token_algorithm: str | None = None
) -> UnitIssuer:
    """Set a unit's credit code (empty: keep it, or derive one for a new issuer) and, when given,
    its QR token algorithm (``"ES256"``, ``"SM2"``, or ``""`` for the platform default)."""
    if token_algorithm not in (None, "", *TokenAlgorithm.values):
        raise UnsupportedAlgorithm()
    issuer = UnitIssuer.objects.select_for_update().filter(unit=unit).first()
    if issuer is None:
        issuer = UnitIssuer(unit=unit, credit_code=credit_code or _derived_credit_code(unit))
    elif credit_code:
        issuer.credit_code = credit_code
    if token_algorithm is not None:
        issuer.token_algorithm = token_algorithm
    issuer.save()
    audit_log(
        actor=actor,
        action="certificates.issuer_set",
        obj=issuer,
        unit=unit,
        summary={"credit_code": issuer.credit_code, "token_algorithm": issuer.token_algorithm},
    )
    return issuer


def _issuer(unit: Unit) -> UnitIssuer:
    issuer = UnitIssuer.objects.select_for_update().filter(unit=unit).first()
    if issuer is None:
        UnitIssuer.objects.get_or_create(
            unit=unit, defaults={"credit_code": _derived_credit_code(unit)}
        )
        issuer = UnitIssuer.objects.select_for_update().get(unit=unit)
    return issuer


# --- issuing ----------------------------------------------------------------------------------


def _token_payload(cert: Certificate, *, type_code: str, credit_code: str) -> dict[str, Any]:
    return {
        "id": cert.identifier,
        "t": type_code,
        "n": cert.title,
        "h": cert.holder_masked,
        "iss": cert.issuing_unit.name,
        "icc": credit_code,
        "nbf": cert.valid_from.isoformat(),
        "exp": cert.valid_until.isoformat() if cert.valid_until else None,
        "iat": int(timezone.now().timestamp()),
    }


def verify_url(token: str) -> str:
    return f"{conf.get('VERIFY_BASE_URL').rstrip('/')}/certificates/v/{token}/"


def _validity_text(cert: Certificate) -> str:
    if cert.valid_until is None:
        return _("%(start)s 起长期有效") % {"start": cert.valid_from.isoformat()}
    return f"{cert.valid_from.isoformat()} — {cert.valid_until.isoformat()}"


def _render_and_sign(cert: Certificate, key: SigningKey) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        holder_label = _("持证企业") if cert.holder_enterprise_id else _("持证人")
        rendering = render.Rendering(
            title=cert.title,
            identifier=cert.identifier,
            holder_label=holder_label,
            holder_name=cert.holder_name,
            holder_id_masked=cert.holder_id_masked,
            fields=[(str(k), str(v)) for k, v in cert.data.items()],
            issuer_name=cert.issuing_unit.name,
            issued_on=timezone.localdate().isoformat(),
            validity=_validity_text(cert),
            seal_png=seal_png(cert.issuing_unit.name, _("电子证照专用章")),
            qr_payload=verify_url(cert.token),
            footer=_("扫描二维码或访问 %(url)s 核验；请确认网址属于发证机关。")
            % {"url": conf.get("VERIFY_BASE_URL")},
        )
        pdf = render.render_pdf(rendering)
        return sign_pdf_with_key(
            key=key,
            pdf=pdf,
            reason=_("电子证照签发"),
            location=cert.issuing_unit.name,
        )


@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    cert_type: str,
    unit: Unit,
    holder_name: str,
    holder_id: str,
    holder_person: Person | None = None,
    holder_enterprise: Enterprise | None = None,
    title: str = "",
    data: dict[str, Any] | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    case: Any = None,
) -> Certificate:
    """Issue, render and sign a certificate; returns it with its signed PDF and QR token."""
    cert_type = CertificateType(cert_type)
    valid_from = valid_from or timezone.localdate()
    if valid_until is None:
        from .choices import DEFAULT_VALIDITY_YEARS

        years = DEFAULT_VALIDITY_YEARS.get(cert_type)
        if years:
            try:
                valid_until = valid_from.replace(year=valid_from.year + years)
            except ValueError:  # 29 February
                valid_until = valid_from.replace(year=valid_from.year + years, day=28)
    issuer = _issuer(unit)
    issuer.last_serial += 1
    issuer.save(update_fields=["last_serial"])
    type_code = conf.type_code(cert_type)
    identifier = identifiers.build(
        type_code=type_code,
        issuer_credit_code=issuer.credit_code,
        serial=issuer.last_serial,
        version=1,
    )
    key = unit_signing_key(unit=unit)
    token_key = unit_token_key(unit=unit)
    id_kind = "credit_code" if holder_enterprise is not None else "resident_id"
    cert = Certificate(
        identifier=identifier,
        cert_type=cert_type,
        title=title or str(cert_type.label),
        serial=issuer.last_serial,
        version=1,
        issuing_unit=unit,
        holder_person=holder_person,
        holder_enterprise=holder_enterprise,
        holder_name=holder_name,
        holder_id=holder_id,
        holder_id_hash=lookup_hash(holder_id, kind=id_kind),
        data=data or {},
        valid_from=valid_from,
        valid_until=valid_until,
        case=case,
        signing_key=key,
        token_key=token_key,
    )
    cert.token = tokens.sign(
        _token_payload(cert, type_code=type_code, credit_code=issuer.credit_code),
        key=_private_key(token_key),
        kid=token_key.kid,
        typ=tokens.CERT_TYP,
    )
    cert.pdf = _render_and_sign(cert, key)
    cert.pdf_sha256 = hashlib.sha256(cert.pdf).hexdigest()
    cert.save()
    audit_log(
        actor=actor,
        action="certificates.issued",
        obj=cert,
        unit=unit,
        summary={
            "identifier": identifier,
            "type": cert_type.value,
            "kid": key.kid,
            "token_kid": token_key.kid,
            "token_algorithm": token_key.algorithm,
        },
    )
    return cert


#: Result types of catalogue items that yield a certificate.
_RESULT_TYPES_WITH_CERTIFICATE = {"certificate", "approval", "filing_receipt", "proof"}
_APPROVED_STATES = {"approved", "result_issued", "delivered", "collected", "closed"}


def certificate_issue_for_case(*, case_id: int) -> Certificate | None:
    """Issue the e-certificate of an approved case (idempotent: the same certificate on every
    call). ``None`` when the item yields no certificate (its result is a service or nothing)
    or the case was not approved."""
    from onestop.cases.models import Case  # read only: cases change through their services

    existing = Certificate.objects.filter(case_id=case_id).first()
    if existing is not None:
        return existing
    case = Case.objects.select_related(
        "item_version__item__implementing_unit", "handling_unit", "enterprise", "applicant"
    ).get(pk=case_id)
    version = case.item_version
    if version.result_type not in _RESULT_TYPES_WITH_CERTIFICATE:
        return None
    if case.state not in _APPROVED_STATES or case.decision != "approved":
        return None
    with transaction.atomic():
        # lock the case row so that two concurrent calls issue one certificate
        Case.objects.select_for_update().get(pk=case.pk)
        existing = Certificate.objects.filter(case_id=case_id).first()
        if existing is not None:
            return existing
        with translation.override(settings.LANGUAGE_CODE):
            data = {
                _("办理事项"): version.name,
                _("办件编号"): case.number,
                _("事项编码"): version.item.implementation_code,
            }
        common: dict[str, Any] = {
            "actor": None,
            "cert_type": CertificateType.CATALOGUE_RESULT,
            "unit": case.handling_unit,
            "title": version.result_name or version.name,
            "data": data,
            "case": case,
        }
        enterprise = case.enterprise
        if enterprise is not None:
            return certificate_issue(
                holder_name=enterprise.name,
                holder_id=enterprise.credit_code,
                holder_enterprise=enterprise,
                holder_person=None,
                **common,
            )
        person = case.applicant
        return certificate_issue(
            holder_name=person.name,
            holder_id=person.id_number,
            holder_person=person,
            **common,
        )


def certificate_issue_from_register(
    *,
    actor: Any,
    person: Person,
    cert_type: str,
    unit: Unit,
    data: dict[str, Any] | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Certificate:
    """A certificate from register data (ID card, household register, residence permit, driving
    or vehicle licence); the register itself is outside the platform, so its fields come in
    ``data``."""
    return certificate_issue(
        actor=actor,
        cert_type=cert_type,
        unit=unit,
        holder_name=person.name,
        holder_id=person.id_number,
        holder_person=person,
        data=data,
        valid_from=valid_from,
        valid_until=valid_until,
    )


# --- status -----------------------------------------------------------------------------------

_ALLOWED: dict[str, set[str]] = {
    CertificateStatus.SUSPENDED: {CertificateStatus.VALID},
    CertificateStatus.VALID: {CertificateStatus.SUSPENDED},
    CertificateStatus.REVOKED: {CertificateStatus.VALID, CertificateStatus.SUSPENDED},
}


@transaction.atomic
def certificate_set_status(
    *, actor: Any, certificate: Certificate, status: str, reason: str
) -> Certificate:
    """Suspend, reinstate (back to valid) or revoke; expired and revoked are final."""
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.effective_status not in _ALLOWED.get(status, set()):
        raise IllegalStatusChange()
    before = cert.status
    cert.status = status
    cert.status_reason = reason[:200]
    cert.status_changed_at = timezone.now()
    cert.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    audit_log(
        actor=actor,
        action=f"certificates.{status}",
        obj=cert,
        unit=cert.issuing_unit,
        summary={"before": before, "after": status, "reason": reason[:200]},
    )
    return cert


@transaction.atomic
def certificates_expire_due(*, today: dt.date | None = None) -> int:
    """Mark valid certificates past their end date as expired (daily job; safe to re-run)."""
    today = today or timezone.localdate()
    due = Certificate.objects.filter(status=CertificateStatus.VALID, valid_until__lt=today)
    count = 0
    for cert in due.select_for_update():
        cert.status = CertificateStatus.EXPIRED
        cert.status_changed_at = timezone.now()
        cert.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_log(actor=None, action="certificates.expired", obj=cert, unit=cert.issuing_unit)
        count += 1
    return count


# --- verification -----------------------------------------------------------------------------


@dataclass
class Verification:
    found: bool
    certificate: Certificate | None
    status: str
    status_label: str
    token_checked: bool = False
    token_valid: bool = False
    key_revoked: bool = False

    @property
    def is_valid(self) -> bool:
        return (
            self.found
            and self.status == CertificateStatus.VALID
            and not self.key_revoked
            and (self.token_valid or not self.token_checked)
        )

    def public_dict(self) -> dict[str, Any]:
        cert = self.certificate
        out: dict[str, Any] = {
            "found": self.found,
            "valid": self.is_valid,
            "status": self.status,
            "status_label": self.status_label,
            "signature_checked": self.token_checked,
            "signature_valid": self.token_valid,
            "signing_key_revoked": self.key_revoked,
        }
        if cert is not None:
            out.update(
                identifier=cert.identifier,
                title=cert.title,
                type=cert.cert_type,
                holder=cert.holder_masked,
                holder_id=cert.holder_id_masked,
                issuer=cert.issuing_unit.name,
                valid_from=cert.valid_from.isoformat(),
                valid_until=cert.valid_until.isoformat() if cert.valid_until else None,
            )
        return out


def public_key_of(key: SigningKey) -> tokens.PublicKey:
    if key.algorithm == TokenAlgorithm.SM2:
        return sm2.SM2PublicKey(key.sm2_public_key)
    public = pki.load_certificate(key.certificate_pem).public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    return public


def _token_signer(kid: str) -> SigningKey | None:
    """The key a QR token names, if it is one that signs QR tokens (a unit key)."""
    return SigningKey.objects.filter(kid=kid, kind=KeyKind.UNIT).first()


@transaction.atomic
def certificate_verify(
    *,
    identifier: str = "",
    token: str = "",
    channel: str = ScanChannel.PAGE,
    ip: str | None = None,
) -> Verification:
    """Look a certificate up by identifier or by QR token and log the scan (no login)."""
    token_checked = token_valid = False
    key_revoked = False
    key: SigningKey | None = None
    if token:
        token_checked = True
        try:
            header, payload, _si, _sig = tokens.parse(token)
            key = _token_signer(str(header.get("kid", "")))
            if key is not None:
                # tokens.verify refuses a token whose alg is not the key's algorithm
                tokens.verify(token, public_key=public_key_of(key))
                token_valid = True
                key_revoked = key.status == KeyStatus.REVOKED
            identifier = str(payload.get("id", ""))
        except tokens.TokenError:
            identifier = identifier or ""
    identifier = identifiers.normalise(identifier)[:200]
    cert = (
        Certificate.objects.select_related("issuing_unit", "signing_key", "token_key")
        .filter(identifier=identifier)
        .first()
        if identifier and (token_valid or not token_checked)
        else None
    )
    if cert is not None and key is not None and key.pk != cert.qr_key.pk:
        # a good signature by another key (another unit's) does not vouch for this certificate
        token_valid = False
    if cert is not None:
        key_revoked = (
            key_revoked
            or cert.signing_key.status == KeyStatus.REVOKED
            or cert.qr_key.status == KeyStatus.REVOKED
        )
        status = cert.effective_status
        result = Verification(
            found=True,
            certificate=cert,
            status=status,
            status_label=str(CertificateStatus(status).label),
            token_checked=token_checked,
            token_valid=token_valid,
            key_revoked=key_revoked,
        )
    else:
        result = Verification(
            found=False,
            certificate=None,
            status="not_found",
            status_label=_("未找到该证照"),
            token_checked=token_checked,
            token_valid=token_valid,
        )
    VerificationScan.objects.create(
        certificate=cert,
        identifier=identifier or "-",
        channel=channel,
        result="valid" if result.is_valid else result.status,
        ip=ip,
    )
    return result


def _published_public(key: SigningKey) -> dict[str, str]:
    if key.algorithm == TokenAlgorithm.SM2:
        return {
            "alg": key.algorithm,
            "public_key_pem": sm2.spki_pem(key.sm2_public_key),
            "public_key_hex": key.sm2_public_key,
        }
    return {"alg": key.algorithm, "public_key_pem": pki.public_key_pem(key.certificate_pem)}


def published_keys() -> dict[str, Any]:
    """What the offline verifiers need: every unit key's algorithm, public key and status; the
    root (ES256, signs the status list) and the SM2 status-list key."""
    keys = {}
    for key in SigningKey.objects.filter(kind=KeyKind.UNIT).select_related("unit"):
        keys[key.kid] = {
            **_published_public(key),
            "issuer": key.unit.name if key.unit else "",
            "status": key.status,
            "not_after": key.not_after.isoformat(),
        }
    root = root_key()
    sm2_root = sm2_root_key()
    return {
        "alg": TokenAlgorithm.ES256.value,
        "root": {
            "kid": root.kid,
            "certificate_pem": root.certificate_pem,
            "public_key_pem": pki.public_key_pem(root.certificate_pem),
        },
        "sm2_root": {"kid": sm2_root.kid, **_published_public(sm2_root)},
        "keys": keys,
    }


def status_list_token(*, algorithm: str = TokenAlgorithm.ES256) -> str:
    """A list of every certificate that is not valid, and every revoked key, signed by the root
    (ES256) or by the SM2 status-list key (``algorithm="SM2"``)."""
    if algorithm not in TokenAlgorithm.values:
        raise UnsupportedAlgorithm()
    today = timezone.localdate()
    entries: dict[str, str] = {}
    for identifier, status in Certificate.objects.exclude(
        status=CertificateStatus.VALID
    ).values_list("identifier", "status"):
        entries[identifier] = status
    for identifier in Certificate.objects.filter(
        status=CertificateStatus.VALID, valid_until__lt=today
    ).values_list("identifier", flat=True):
        entries[identifier] = CertificateStatus.EXPIRED
    revoked_keys = sorted(
        SigningKey.objects.filter(status=KeyStatus.REVOKED).values_list("kid", flat=True)
    )
    signer = sm2_root_key() if algorithm == TokenAlgorithm.SM2 else root_key()
    return tokens.sign(
        {"iat": int(timezone.now().timestamp()), "entries": entries, "revoked_keys": revoked_keys},
        key=_private_key(signer),
        kid=signer.kid,
        typ=tokens.STATUS_TYP,
    )


# --- share links ------------------------------------------------------------------------------


def _share_hash(token: str) -> str:
    return hashlib.sha256(f"onestop-share:{token}".encode()).hexdigest()


@dataclass
class NewShare:
    link: ShareLink
    token: str


@transaction.atomic
def share_link_create(
    *,
    actor: Any,
    person: Person,
    certificate: Certificate,
    recipient: str,
    purpose: str,
    days: int,
    consent: bool,
) -> NewShare:
    """A link that shows the certificate (masked holder, status, PDF) to ``recipient`` until it
    expires or is revoked; needs the holder's explicit consent."""
    if not consent:
        raise ShareNotAllowed(_("分享前须同意向接收方提供本证照。"))
    if certificate.effective_status != CertificateStatus.VALID:
        raise ShareNotAllowed()
    days = max(1, min(int(days), int(conf.get("SHARE_MAX_DAYS"))))
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    link = ShareLink.objects.create(
        certificate=certificate,
        created_by=person,
        recipient=recipient.strip()[:100],
        purpose=purpose.strip()[:200],
        token_hash=_share_hash(token),
        consent_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    audit_log(
        actor=actor,
        action="certificates.share_created",
        obj=link,
        summary={"recipient": link.recipient, "purpose": link.purpose, "days": days},
    )
    return NewShare(link=link, token=token)


@transaction.atomic
def share_link_revoke(*, actor: Any, link: ShareLink) -> ShareLink:
    link = ShareLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at", "updated_at"])
        audit_log(actor=actor, action="certificates.share_revoked", obj=link)
    return link


@transaction.atomic
def share_link_open(*, token: str, ip: str | None = None) -> ShareLink | None:
    """The link's certificate if the link is active (counted and audited), else None."""
    link = (
        ShareLink.objects.select_for_update()
        .select_related("certificate__issuing_unit")
        .filter(token_hash=_share_hash(token))
        .first()
    )
    if link is None or not link.is_active:
        return None
    link.view_count += 1
    link.last_viewed_at = timezone.now()
    link.save(update_fields=["view_count", "last_viewed_at", "updated_at"])
    audit_log(
        actor=None,
        action="certificates.share_viewed",
        obj=link,
        summary={"recipient": link.recipient, "holder": mask_name(link.created_by.name)},
    )
    VerificationScan.objects.create(
        certificate=link.certificate,
        identifier=link.certificate.identifier,
        channel=ScanChannel.SHARE,
        result=link.certificate.effective_status,
        ip=ip,
    )
    return link


def pdf_validate(*, pdf: bytes) -> list[signing.SignatureReport]:
    """Validate every signature of ``pdf`` against the platform roots (revoked platform keys
    make a signature untrusted)."""
    reports = signing.validate_pdf(pdf, trust_roots=trust_roots())
    revoked = set(
        SigningKey.objects.filter(status=KeyStatus.REVOKED, algorithm=TokenAlgorithm.ES256)
        .exclude(serial_hex="")
        .values_list("serial_hex", flat=True)
    )
    for report in reports:
        if report.signer_serial_hex in revoked:
            report.trusted = False
            report.extra["revoked"] = "1"
    return reports
