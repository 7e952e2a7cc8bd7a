"""The report seal: a PAdES signature (pyHanko) with the municipality's certificate, and its verification.

The certificate comes from a PKCS#12 file (`KIV_SIGNING_P12`, passphrase in `KIV_SIGNING_P12_PASSWORD` or
`KIV_SIGNING_P12_PASSWORD_FILE`). Without one, a self-signed test certificate is generated once into
`DATA_DIR/signing/` on first use, so a single machine works out of the box; it is never committed.

A missing file or a wrong passphrase raises `SigningConfigError` with a sentence that names the setting:
the system check (start-up) and /healthz report it, instead of a signer that is silently `None`.
pyHanko's sync API runs `asyncio.run()`, which refuses to start inside a running event loop; a caller that has
one (an async server, a test driving a browser) gets its sealing and checking done in a thread of its own
(`outside_event_loop`), instead of a refusal that would read as a broken seal. pyHanko is imported inside the
functions that sign or verify (about half a second of import time), so the web processes' start-up and the
commands that never seal do not pay for it.
"""

import asyncio
import datetime as dt
import hashlib
import io
import json
import logging
import re
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import DatabaseError, connection

from assessments.audit.key import write_secret_once
from assessments.models import Report

log = logging.getLogger(__name__)

DEFAULT_COMMON_NAME = "Oslo kommune – KI-veileder (test)"
DEFAULT_P12_NAME = "kiveileder-test-seal.p12"
FIELD_NAME = "Signatur"
ATTACHMENT_NAME = "svar.json"
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class SigningConfigError(Exception):
    """The signing certificate cannot be used; the message says which setting to fix."""


class NotAPdfError(ValueError):
    """The bytes are not a PDF that can be read at all."""


@dataclass(frozen=True)
class SealIdentity:
    signer: object  # pyhanko.sign.signers.SimpleSigner
    certificate: asn1_x509.Certificate
    common_name: str
    source: str  # "configured" or "default"
    path: Path


# --- Loading the certificate ---------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[tuple, SealIdentity] = {}


def _configured_password() -> bytes | None:
    password = settings.KIV_SIGNING_P12_PASSWORD
    return password.encode() if password else None


def _load_p12(path: Path, password: bytes | None, source: str) -> SealIdentity:
    from pyhanko.sign import signers

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningConfigError(f"KIV_SIGNING_P12 points to {path}, which does not exist.") from None
    except OSError as exc:
        raise SigningConfigError(f"KIV_SIGNING_P12 ({path}) cannot be read: {exc.strerror}.") from None
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        hint = "no passphrase is set" if password is None else "the passphrase is wrong"
        raise SigningConfigError(
            f"The signing certificate {path} cannot be opened: {hint} (KIV_SIGNING_P12_PASSWORD / "
            "KIV_SIGNING_P12_PASSWORD_FILE), or the file is not PKCS#12."
        ) from None
    if key is None or cert is None:
        raise SigningConfigError(f"The signing certificate {path} holds no private key and certificate.")
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise SigningConfigError(f"The signing certificate {path} expired on {cert.not_valid_after_utc:%Y-%m-%d}.")
    loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password)
    signer = _signer_class()(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )
    signer.loaded_key = key
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = str(names[0].value) if names else cert.subject.rfc4514_string()
    return SealIdentity(signer, signer.signing_cert, common_name, source, path)


@cache
def _signer_class():
    """pyHanko's SimpleSigner parses the private key from DER for every signature (and once more for the
    size estimate); with OpenSSL's RSA key check that is about 0.25 s each time. Sign with the key object
    loaded once from the PKCS#12 file instead, for the common mechanisms; anything else goes to pyHanko."""
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class LoadedKeySigner(SimpleSigner):
        loaded_key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(self.loaded_key, rsa.RSAPrivateKey):
                return self.loaded_key.sign(data, PKCS1v15(), hash_algo)
            if mechanism == "ecdsa" and isinstance(self.loaded_key, EllipticCurvePrivateKey):
                return self.loaded_key.sign(data, ECDSA(hash_algo))
            return super().sign_raw(data, digest_algorithm)

    return LoadedKeySigner


def default_p12_path() -> Path:
    return Path(settings.DATA_DIR) / "signing" / DEFAULT_P12_NAME


def self_signed_certificate(key, name: x509.Name, *, start: dt.datetime, days: int, extensions=()) -> x509.Certificate:
    """A certificate for `key` issued by itself to `name`, valid from `start` for `days` days; `extensions`
    are (extension, critical) pairs."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, hashes.SHA256())


def make_self_signed_p12(
    common_name: str = DEFAULT_COMMON_NAME,
    *,
    password: bytes | None = None,
    key_size: int = 3072,
    days: int = 3650,
    valid_from: dt.datetime | None = None,
) -> bytes:
    """A self-signed sealing certificate: key usage digital signature and non-repudiation."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Oslo kommune"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    start = valid_from or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    extensions = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (usage, True),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
    ]
    cert = self_signed_certificate(key, name, start=start, days=days, extensions=extensions)
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"kiveileder-seal", key, cert, None, encryption)


def _ensure_default_p12() -> Path:
    """Generate the default certificate once. Safe when the web process and a worker start together:
    each writes its own temporary file and hard-links it into place; the first link wins.

    Never while sealed reports exist: they were sealed with a key that is missing here (a restored copy
    without its certificate), and a new key would make every one of them look forged."""
    path = default_p12_path()
    if path.exists():
        return path
    sealed = _sealed_reports()
    if sealed:
        raise SigningConfigError(
            f"No sealing certificate at {path}, but {sealed} sealed reports exist: restore the certificate "
            "they were sealed with (it is in the backup) or set KIV_SIGNING_P12 to it. No new key was made."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise SigningConfigError(
            f"No KIV_SIGNING_P12 is set and the default certificate cannot be created in {path.parent}: {exc.strerror}."
        ) from None
    write_secret_once(path, make_self_signed_p12())
    return path


def _sealed_reports() -> int:
    """How many sealed reports exist (0 before the first migration). A database that cannot be asked
    stops the key from being made: a key made now could be the wrong one for reports that exist."""
    try:
        if Report._meta.db_table not in connection.introspection.table_names():
            return 0
        sealed = (Report.Kind.SIGNED, Report.Kind.PLAN)
        return Report.objects.filter(kind__in=sealed, status=Report.Status.READY).count()
    except DatabaseError as exc:
        raise SigningConfigError(
            f"No sealing certificate yet, and the database cannot say whether sealed reports exist ({exc}); "
            "no new key was made."
        ) from None


def seal_identity() -> SealIdentity:
    """The signer for reports, loaded once per process (reloaded when the settings or the file change)."""
    configured = settings.KIV_SIGNING_P12
    if configured:
        path, password, source = Path(configured), _configured_password(), "configured"
    else:
        path, password, source = default_p12_path(), None, "default"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = None
    key = (str(path), password, mtime)
    with _lock:
        identity = _cache.get(key)
        if identity is None:
            if source == "default":
                _ensure_default_p12()
            identity = _load_p12(path, password, source)
            _cache.clear()
            _cache[key] = identity
    return identity


def check_configuration(*, create_default: bool = False) -> dict:
    """For start-up and /healthz: {"ok": bool, "detail": str}. Does not create the default certificate
    unless asked, so `manage.py check` has no side effects."""
    if not settings.KIV_SIGNING_P12 and not create_default and not default_p12_path().exists():
        return {"ok": True, "detail": "default test certificate (created on first use)"}
    try:
        identity = seal_identity()
    except SigningConfigError as exc:
        return {"ok": False, "detail": str(exc)}
    kind = "configured" if identity.source == "configured" else "default test certificate"
    return {"ok": True, "detail": f"{kind}: {identity.common_name}"}


def health() -> dict:
    return check_configuration()


def certificate_fingerprint(path: Path, password: bytes | None = None) -> str:
    """SHA-256 of the DER certificate in a PKCS#12 file (what `openssl x509 -fingerprint -sha256` shows,
    without the colons): it names the seal in backup manifests."""
    _key, cert, _others = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    return cert.fingerprint(hashes.SHA256()).hex()


def seal_path() -> tuple[Path, bytes | None]:
    """Where the seal is (configured, or the default in the data folder) and its passphrase."""
    if settings.KIV_SIGNING_P12:
        return Path(settings.KIV_SIGNING_P12), _configured_password()
    return default_p12_path(), None


# --- Signing -------------------------------------------------------------------------------------------


def _timestamper():
    if not settings.KIV_TSA_URL:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(settings.KIV_TSA_URL, timeout=10)


@cache
def _writer_class():
    """pyHanko's incremental writer, minus its metadata update. On every write pyHanko appends itself to the
    Info dictionary's Producer ("…; pyHanko x") but sets XMP's pdf:Producer to "pyHanko x" alone, so the two
    stop matching (PDF/A and PDF/UA want them equal), and it re-serialises the whole XMP packet, which breaks
    the PDF/A extension schema the report declares (https://github.com/MatthiasValvekens/pyHanko/issues/755).
    The report arrives with its final metadata (pdf_structure.finish names pyHanko as a producer already), so
    the seal's revision leaves it alone. Overriding `_update_meta` is what pyHanko's maintainer suggests for
    this (https://github.com/MatthiasValvekens/pyHanko/issues/223)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class MetadataKeepingWriter(IncrementalPdfFileWriter):
        def _update_meta(self):
            pass

    return MetadataKeepingWriter


def sign_pdf(pdf: bytes, *, reason: str, location: str = "Oslo", timestamper=None) -> bytes:
    """Seal a PDF with a PAdES baseline signature (B-B, or B-T with a time-stamp authority), into the empty
    signature field FIELD_NAME when the document has one (the report does), else into a new one."""
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError

    identity = seal_identity()
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    timestamper = timestamper or _timestamper()
    pdf_signer = signers.PdfSigner(meta, signer=identity.signer, timestamper=timestamper)
    # Without a time-stamp the signature's size is known well enough to reserve room for it, which spares
    # pyHanko's dry-run signature (it builds the whole CMS twice). A time-stamp token's size is not.
    reserve = None if timestamper is not None else _reserved_bytes(identity)
    try:
        return outside_event_loop(
            lambda: pdf_signer.sign_pdf(_writer_class()(io.BytesIO(pdf)), bytes_reserved=reserve).getvalue()
        )
    except SigningError:
        if reserve is None:
            raise
        log.warning("The reserved signature size was too small; signing again with pyHanko's estimate")
        return outside_event_loop(lambda: pdf_signer.sign_pdf(_writer_class()(io.BytesIO(pdf))).getvalue())


def outside_event_loop(call):
    """`call()` where pyHanko's `asyncio.run()` may start: here, or in a thread of its own when this thread runs an
    event loop (pyHanko builds its coroutines before `asyncio.run()` refuses, so the refusal would also leave them
    never awaited)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _reserved_bytes(identity: SealIdentity) -> int:
    """Room for the CMS: the signer's certificates, signed attributes and the signature, with margin."""
    certificates = [identity.certificate, *identity.signer.cert_registry]
    return 4096 + 2 * sum(len(cert.dump()) for cert in certificates)


# --- Verification --------------------------------------------------------------------------------------


def _embedded_answers(reader) -> dict | None:
    """The `meta` of the embedded answers file, or None when there is none or it cannot be parsed."""
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        count = len(names)
    except Exception:  # a hostile file (wrong types, nesting past the recursion limit) has no answers file
        return None
    for index in range(0, min(count, 10_000) - 1, 2):
        try:
            if str(names[index]) != ATTACHMENT_NAME:
                continue
            stream = names[index + 1].get_object()["/EF"]["/F"].get_object()
            data = json.loads(stream.data)
        except Exception:  # a damaged attachment is reported as absent, not as a crash
            return None
        return data if isinstance(data, dict) else None
    return None


def _trust_roots(identity: SealIdentity | None) -> list:
    return [identity.certificate] if identity is not None else []


def verify_pdf(data: bytes) -> dict:
    """Check a sealed report. Raises NotAPdfError when the bytes are not a readable PDF.

    Returns: intact (the signed bytes are unchanged), trusted (signed by our certificate), valid (both,
    and the signature covers the whole file), signer, signing_time (ISO), assessment/version (from the
    embedded answers file), sha256 of the given bytes, and `problem`, a short reason when not valid.
    """
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    result = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "signed": False,
        "intact": False,
        "trusted": False,
        "valid": False,
        "signer": "",
        "signing_time": None,
        "assessment": None,
        "version": None,
        "problem": "",
    }
    if not data.lstrip()[:5] == b"%PDF-":
        raise NotAPdfError("not a PDF file")
    reader, signatures = _read(data)
    result.update(_claimed(reader))
    if not signatures:
        result["problem"] = "unsigned"
        return result
    result["signed"] = True
    try:
        identity = seal_identity()
    except SigningConfigError:
        identity = None
    try:
        context = ValidationContext(trust_roots=_trust_roots(identity))
        status = outside_event_loop(lambda: validate_pdf_signature(signatures[-1], context))
    except Exception as exc:  # a damaged signature container is a broken seal, not a crash
        result["problem"] = f"the signature cannot be checked ({type(exc).__name__})"
        return result
    _judge(status, result)
    return result


def _read(data: bytes):
    """The reader and the embedded signatures, or NotAPdfError."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        return reader, reader.embedded_signatures
    except (
        PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError, zlib.error
    ) as exc:  # fmt: skip
        # A crafted or damaged file (a signature field whose /V is a number, arrays nested past the recursion
        # limit, a compressed cross-reference stream with flipped bytes) is "not a readable PDF", never a crash.
        raise NotAPdfError(f"the PDF cannot be read ({type(exc).__name__})") from None


def _claimed(reader) -> dict:
    """What the document says it is: text from the file, so only well-formed values are taken."""
    meta = (_embedded_answers(reader) or {}).get("meta")
    meta = meta if isinstance(meta, dict) else {}
    claimed, number = meta.get("assessment"), meta.get("version")
    # Only a well-formed id is looked up (a NUL or other junk must never reach a database query).
    return {
        "assessment": claimed if isinstance(claimed, str) and _UUID_RE.fullmatch(claimed) else None,
        "version": number if isinstance(number, int) and not isinstance(number, bool) else None,
    }


def _judge(status, result: dict) -> None:
    """Fill `result` from pyHanko's validation status."""
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    result["intact"] = bool(status.intact and status.valid)
    result["trusted"] = bool(status.trusted)
    if status.signing_cert is not None:
        result["signer"] = status.signing_cert.subject.native.get("common_name", "")
    signing_time = status.signer_reported_dt
    if status.timestamp_validity is not None:
        signing_time = status.timestamp_validity.timestamp
    result["signing_time"] = signing_time.isoformat() if signing_time else None
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    result["valid"] = result["intact"] and result["trusted"] and whole_file
    if not result["intact"]:
        result["problem"] = "tampered: the signed content has changed"
    elif not result["trusted"]:
        result["problem"] = "not signed with this installation's certificate"
    elif not whole_file:
        result["problem"] = "content was added after signing"
