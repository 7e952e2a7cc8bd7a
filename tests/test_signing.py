"""The sealing certificate: clear errors for a wrong passphrase or a missing file (at start-up and in
/healthz), the generated default certificate, and a time-stamped (B-T) seal."""

import asyncio
import datetime as dt
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.test import Client

from assessments import checks
from assessments.reports import signing
from tests.certs import self_signed
from tests.report_helpers import SEAL_PASSWORD, use_test_seal

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


def test_it_loads_the_configured_certificate(seal_file):
    identity = signing.seal_identity()
    assert identity.common_name == "KI-veileder testsegl" and identity.source == "configured"
    assert signing.check_configuration() == {"ok": True, "detail": "configured: KI-veileder testsegl"}


def test_a_wrong_passphrase_is_a_clear_error(settings, seal_file):
    settings.KIV_SIGNING_P12_PASSWORD = "not-the-passphrase"
    with pytest.raises(signing.SigningConfigError, match="passphrase is wrong"):
        signing.seal_identity()
    errors = checks.signing_certificate()
    assert [e.id for e in errors] == ["kiveileder.E001"]
    assert str(seal_file) in errors[0].msg and "KIV_SIGNING_P12_PASSWORD" in errors[0].msg


def test_a_missing_passphrase_for_an_encrypted_file_is_a_clear_error(settings, seal_file):
    settings.KIV_SIGNING_P12_PASSWORD = None
    with pytest.raises(signing.SigningConfigError, match="no passphrase is set"):
        signing.seal_identity()


def test_a_missing_file_is_a_clear_error(settings, tmp_path):
    settings.KIV_SIGNING_P12 = str(tmp_path / "nowhere.p12")
    with pytest.raises(signing.SigningConfigError, match=r"KIV_SIGNING_P12 points to .*nowhere\.p12, which"):
        signing.seal_identity()
    assert checks.signing_certificate()[0].id == "kiveileder.E001"


def test_a_file_that_is_not_pkcs12_is_a_clear_error(settings, tmp_path):
    path = tmp_path / "seal.p12"
    path.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot really\n")
    settings.KIV_SIGNING_P12, settings.KIV_SIGNING_P12_PASSWORD = str(path), "x"
    with pytest.raises(signing.SigningConfigError, match="not PKCS#12"):
        signing.seal_identity()


def test_an_expired_certificate_is_a_clear_error(settings, tmp_path):
    path = tmp_path / "old.p12"
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    path.write_bytes(signing.make_self_signed_p12("Gammel", key_size=2048, days=30, valid_from=start))
    settings.KIV_SIGNING_P12, settings.KIV_SIGNING_P12_PASSWORD = str(path), None
    with pytest.raises(signing.SigningConfigError, match="expired"):
        signing.seal_identity()


@pytest.mark.django_db
def test_healthz_reports_an_unusable_certificate(settings, seal_file):
    settings.KIV_SIGNING_P12_PASSWORD = "wrong"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["signing"] == {"ok": False}  # anonymous: no details
    check = _staff_client().get("/healthz").json()["checks"]["signing"]
    assert check["ok"] is False and "passphrase is wrong" in check["detail"]


def _staff_client() -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.create_user("ops", is_staff=True))
    return client


@pytest.mark.django_db
def test_healthz_is_fine_with_a_usable_certificate(seal_file):
    response = _staff_client().get("/healthz")
    assert response.json()["checks"]["signing"] == {"ok": True, "detail": "configured: KI-veileder testsegl"}


def test_the_default_certificate_is_made_once_in_the_data_folder(db, settings, tmp_path):
    settings.KIV_SIGNING_P12 = None
    settings.DATA_DIR = tmp_path
    path = tmp_path / "signing" / signing.DEFAULT_P12_NAME
    # A health check or `manage.py check` does not create it ...
    assert signing.check_configuration()["ok"] and not path.exists()
    # ... the first use does.
    identity = signing.seal_identity()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert identity.source == "default" and identity.common_name == "Oslo kommune – KI-veileder (test)"
    _key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), None)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    before = path.read_bytes()
    signing._cache.clear()
    assert signing.seal_identity().certificate.serial_number == identity.certificate.serial_number
    assert path.read_bytes() == before


def test_no_new_default_key_while_sealed_reports_exist(world, settings, tmp_path):
    """A copy restored without its certificate: a new key would make every sealed report look forged."""
    from assessments.models import Report
    from tests.report_helpers import submitted

    settings.KIV_SIGNING_P12 = None
    settings.DATA_DIR = tmp_path
    assessment = submitted(world.agency_a, world.users["leader_a"])
    Report.objects.create(assessment=assessment, version=assessment.latest_version(), status="ready")
    with pytest.raises(signing.SigningConfigError, match="KIV_SIGNING_P12"):
        signing.seal_identity()
    assert not (tmp_path / "signing" / signing.DEFAULT_P12_NAME).exists()
    assert not signing.check_configuration(create_default=True)["ok"]


def test_start_up_fails_with_the_reason_for_a_wrong_passphrase_file(tmp_path, seal_file):
    """The real start-up path: settings read the passphrase file, `manage.py check` names the problem."""
    password_file = tmp_path / "passphrase"
    password_file.write_text("wrong\n")
    env = {
        **os.environ,
        "KIV_SIGNING_P12": str(seal_file),
        "KIV_SIGNING_P12_PASSWORD_FILE": str(password_file),
        "KIV_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kiveileder.settings",
    }
    env.pop("KIV_SIGNING_P12_PASSWORD", None)
    failed = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert failed.returncode != 0
    assert "kiveileder.E001" in failed.stderr and "passphrase is wrong" in failed.stderr

    password_file.write_text(SEAL_PASSWORD + "\n")
    passed = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert passed.returncode == 0, passed.stderr


def _tsa(tmp_path):
    """A throwaway time-stamp authority (RSA, extended key usage time stamping) for PAdES B-T offline."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    time_stamping = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
    cert = self_signed(key, "Test-TSA", days=30, extensions=[(time_stamping, True)])
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return DummyTimeStamper(tsa_cert=asn1_cert, tsa_key=asn1_keys.PrivateKeyInfo.load(der_key)), asn1_cert


def test_a_time_stamp_authority_gives_a_b_t_seal(seal_file, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from assessments.reports import render as reports

    stamper, tsa_cert = _tsa(tmp_path)
    pdf = reports.write_pdf("<html lang='nb'><title>T</title><p>Hei</p></html>", {"answers": {}}, title="T")
    sealed = signing.sign_pdf(pdf, reason="test", timestamper=stamper)
    embedded = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[signing.seal_identity().certificate, tsa_cert])
    status = validate_pdf_signature(embedded, context)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    outcome = signing.verify_pdf(sealed)
    assert outcome["intact"] and outcome["signing_time"] == status.timestamp_validity.timestamp.isoformat()


def test_a_reserved_size_too_small_falls_back_to_pyhankos_estimate(seal_file, monkeypatch, caplog):
    from assessments.reports import render as reports

    pdf = reports.write_pdf("<html lang='nb'><title>T</title><p>Hei</p></html>", {"answers": {}}, title="T")
    monkeypatch.setattr(signing, "_reserved_bytes", lambda identity: 64)
    sealed = signing.sign_pdf(pdf, reason="test")
    assert "reserved signature size was too small" in caplog.text
    assert signing.verify_pdf(sealed)["valid"]


def test_sealing_and_checking_work_inside_a_running_event_loop(seal_file):
    """pyHanko's sync calls run asyncio.run(), which a running loop refuses: the check read that as a broken seal."""
    from assessments.reports import render as reports

    pdf = reports.write_pdf("<html lang='nb'><title>T</title><p>Hei</p></html>", {"answers": {}}, title="T")

    async def inside_a_loop():
        sealed = signing.sign_pdf(pdf, reason="test")
        return signing.verify_pdf(sealed)

    outcome = asyncio.run(inside_a_loop())
    assert outcome["valid"] and outcome["intact"], outcome
