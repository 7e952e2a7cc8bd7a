"""Throwaway self-signed certificates for tests (a TLS key for nginx -t, a time-stamp authority)."""

import datetime as dt

from cryptography import x509
from cryptography.x509.oid import NameOID

from assessments.reports.signing import self_signed_certificate


def self_signed(key, common_name: str, *, days: int = 1, extensions=()) -> x509.Certificate:
    """A certificate for `key` issued by itself, valid from five minutes ago for `days` days (as the
    application's own sealing certificate is made); `extensions` are (extension, critical) pairs."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    return self_signed_certificate(key, name, start=start, days=days, extensions=extensions)
