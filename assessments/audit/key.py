"""The audit chain's key: from `KIV_AUDIT_KEY` / `KIV_AUDIT_KEY_FILE`, never from the database.

With debug on and no key configured, a key is generated once into the data folder (like the default
sealing certificate), so a single machine works out of the box. With debug off, settings refuse to start
without a key. The key must be kept outside the database backup: whoever has the key and the database can
rewrite the chain, whoever has only the database cannot.
"""

import hashlib
import os
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_KEY_NAME = "audit-chain.key"
MIN_KEY_LENGTH = 32


def default_key_path() -> Path:
    return Path(settings.DATA_DIR) / "audit" / DEFAULT_KEY_NAME


def write_secret_once(path: Path, data: bytes) -> None:
    """Write a secret file (owner-only) unless it exists; when two processes start together, the first hard
    link wins, so every process reads the same secret and none a half-written one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _generate_default() -> str:
    """Write a new key once (see write_secret_once)."""
    path = default_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_secret_once(path, secrets.token_hex(32).encode())
    return path.read_text().strip()


@cache
def _load(configured: str | None, generate: bool, data_dir: str) -> bytes:
    if configured:
        return configured.encode()
    if not generate:
        raise ImproperlyConfigured("KIV_AUDIT_KEY (or KIV_AUDIT_KEY_FILE) is required when DJANGO_DEBUG is off")
    return _generate_default().encode()


def key() -> bytes:
    return _load(settings.KIV_AUDIT_KEY, settings.KIV_AUDIT_KEY_GENERATE, str(settings.DATA_DIR))


def key_id() -> str:
    """A short public name for the key (a digest of it), stored with each keyed event."""
    return hashlib.sha256(b"kiv-audit-key-id\x00" + key()).hexdigest()[:16]
