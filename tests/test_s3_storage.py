"""Reports on S3-compatible storage: moto's S3 in server mode on loopback, reached over real HTTP by boto3
through django-storages, configured the way production is (KIV_S3_* variables read by settings.py)."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile

ROOT = Path(__file__).resolve().parent.parent
ACCESS_KEY, SECRET_KEY, REGION = "testing-key", "testing-secret", "eu-north-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    name = f"kiv-reports-{uuid.uuid4().hex[:8]}"
    location = {"LocationConstraint": REGION}
    s3_client(s3_endpoint).create_bucket(Bucket=name, CreateBucketConfiguration=location)
    return name


def s3_client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
    )


def s3_env(endpoint: str, bucket: str, tmp_path) -> dict:
    secret_file = tmp_path / "s3-secret"
    secret_file.write_text(SECRET_KEY + "\n")
    ours = ("DJANGO_", "KIV_", "DATABASE_", "CELERY_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        {
            "KIV_DATA_DIR": str(tmp_path),
            "KIV_S3_BUCKET": bucket,
            "KIV_S3_ENDPOINT_URL": endpoint,
            "KIV_S3_REGION": REGION,
            "KIV_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "KIV_S3_SECRET_ACCESS_KEY_FILE": str(secret_file),
            "KIV_S3_ADDRESSING_STYLE": "path",
        }
    )
    return env


SCRIPT = """
import json
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage as s
name = "reports/bydel-testa/0b7c/v1-abcdef012345.pdf"
saved = s.save(name, ContentFile(b"%PDF-1.7 test report"))
second = s.save(name, ContentFile(b"%PDF-1.7 other bytes"))
with s.open(saved, "rb") as handle:
    body = handle.read().decode()
print(json.dumps({"backend": type(s._wrapped).__name__, "saved": saved, "second": second,
                  "exists": s.exists(saved), "missing": s.exists("reports/none.pdf"), "body": body,
                  "listing": s.listdir("reports/bydel-testa/0b7c")[1], "url": s.url(saved)}))
"""


def test_it_stores_reports_in_the_bucket_with_the_disk_layout(s3_endpoint, bucket, tmp_path):
    env = s3_env(s3_endpoint, bucket, tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == "S3Storage"
    name = "reports/bydel-testa/0b7c/v1-abcdef012345.pdf"
    assert out["saved"] == name
    # A second save under a name in use gets a new name, as on disk: nothing is overwritten.
    assert out["second"] != name and out["second"].startswith("reports/bydel-testa/0b7c/v1-abcdef012345")
    assert (out["exists"], out["missing"], out["body"]) == (True, False, "%PDF-1.7 test report")
    assert sorted(out["listing"]) == sorted(p.rsplit("/", 1)[1] for p in (out["saved"], out["second"]))
    # The object is really in the bucket under the same key, encrypted at rest, not only in a cache.
    head = s3_client(s3_endpoint).head_object(Bucket=bucket, Key=name)
    assert head["ContentLength"] == len(b"%PDF-1.7 test report")
    assert head.get("ServerSideEncryption") == "AES256"
    # Any URL the storage makes is signed and short-lived, never a bare public one.
    assert "X-Amz-Signature=" in out["url"] and "X-Amz-Expires=300" in out["url"]


def test_the_bucket_is_not_readable_without_credentials(s3_endpoint, bucket, settings):
    s3_client(s3_endpoint).put_object(Bucket=bucket, Key="reports/x/secret.pdf", Body=b"%PDF secret")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_endpoint}/{bucket}/reports/x/secret.pdf", timeout=10)
    assert refused.value.code == 403


def test_default_storage_follows_the_settings(s3_endpoint, bucket, settings):
    from django.core.files.storage import default_storage

    settings.STORAGES = _s3_storages(settings, s3_endpoint, bucket)
    name = default_storage.save("reports/a/b/v2-0123.pdf", ContentFile(b"%PDF-1.7 two"))
    assert default_storage.exists(name)
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 two"
    default_storage.delete(name)
    assert not default_storage.exists(name)
    keys = [o["Key"] for o in s3_client(s3_endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert name not in keys


def _s3_storages(settings, endpoint: str, bucket: str) -> dict:
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "region_name": REGION,
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }


def test_the_backup_command_copies_a_bucket_out_and_back(s3_endpoint, bucket, settings, tmp_path):
    from io import StringIO

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    settings.STORAGES = _s3_storages(settings, s3_endpoint, bucket)
    default_storage.save("reports/a/x/v1-aaa.pdf", ContentFile(b"%PDF one"))
    default_storage.save("previews/a/y.pdf", ContentFile(b"%PDF two"))
    call_command("storage_backup", "export", str(tmp_path / "backup"), stdout=StringIO())

    empty = f"kiv-restore-{uuid.uuid4().hex[:8]}"
    s3_client(s3_endpoint).create_bucket(Bucket=empty, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = _s3_storages(settings, s3_endpoint, empty)
    call_command("storage_backup", "import", str(tmp_path / "backup"), stdout=StringIO())
    objects = s3_client(s3_endpoint).list_objects_v2(Bucket=empty)["Contents"]
    assert sorted(o["Key"] for o in objects) == ["previews/a/y.pdf", "reports/a/x/v1-aaa.pdf"]
    with default_storage.open("reports/a/x/v1-aaa.pdf", "rb") as handle:
        assert handle.read() == b"%PDF one"
