import asyncio
import json

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from assessments.audit import chain as audit
from assessments.models import AuditEvent, AuditHead


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    """Checkpoints are sealed: with a throwaway certificate, never the default one in the data folder."""
    from tests.report_helpers import use_test_seal

    return use_test_seal(settings, tmp_path_factory)


def _verify() -> tuple[int, dict]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def _raw_sql(sql: str, params=()):
    """Change the table behind the ORM's back, as an attacker with database access would."""
    tables = ("assessments_auditevent", "assessments_audithead")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.fixture
def chain(db):
    return [audit.record(7, f"test.action{i}", None, None, {"n": i, "text": "æøå"}) for i in range(5)]


def test_it_chains_events_and_verifies(chain):
    assert chain[0].prev_hash == audit.GENESIS
    for prev, event in zip(chain, chain[1:], strict=False):
        assert event.prev_hash == prev.hash
    code, data = _verify()
    assert code == 0
    assert data["count"] == 5 and data["head_hash"] == chain[-1].hash
    head = AuditHead.objects.get()
    assert (head.count, head.last_hash) == (5, chain[-1].hash)


def test_the_orm_refuses_updates_and_deletes(chain):
    with pytest.raises(ValidationError):
        chain[1].save()
    with pytest.raises(ValidationError):
        chain[1].delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=chain[1].pk).update(action="x")
    with pytest.raises(ValidationError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_updates_with_a_trigger():
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only (run with DATABASE_URL=postgres://…)")
    event = audit.record(None, "test.trigger")
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE assessments_auditevent SET action='x' WHERE id=%s", [event.pk])


def test_a_changed_row_is_named(chain):
    _raw_sql("UPDATE assessments_auditevent SET details=%s WHERE id=%s", [json.dumps({"n": 99}), chain[2].pk])
    code, data = _verify()
    assert code == 1
    assert data["bad_event_id"] == chain[2].pk


def test_a_removed_row_in_the_middle_is_named(chain):
    _raw_sql("DELETE FROM assessments_auditevent WHERE id=%s", [chain[2].pk])
    code, data = _verify()
    assert code == 1 and data["bad_event_id"] == chain[3].pk


def test_removing_the_newest_rows_is_detected_by_the_head(chain):
    _raw_sql("DELETE FROM assessments_auditevent WHERE id=%s", [chain[4].pk])
    code, data = _verify()
    assert code == 1
    assert "head" in data["reason"]


def test_reordering_is_detected(chain):
    a, b = chain[1], chain[2]
    _raw_sql(
        "UPDATE assessments_auditevent SET action=%s, hash=%s, prev_hash=%s, details=%s WHERE id=%s",
        [b.action, "f" * 64, b.prev_hash, json.dumps(b.details), a.pk],
    )
    code, data = _verify()
    assert code == 1 and data["bad_event_id"] == a.pk


def test_events_carry_ids_not_names(world):
    event = audit.record(world.users["leader_a"], "test.x", world.agency_a, world.agency_a, {"k": 1})
    payload = audit.canonical(event).decode()
    assert "leader_a" not in payload and "example.org" not in payload
    assert event.actor_id == world.users["leader_a"].pk and event.agency_id == world.agency_a.pk


def test_sign_in_sign_out_and_failures_are_recorded(world):
    from django.test import Client

    client = Client()
    client.post("/logg-inn/", {"username": "leader_a", "password": "wrong"})
    client.post("/logg-inn/", {"username": "leader_a", "password": "test-password-2026"})
    client.post("/logg-ut/")
    actions = list(AuditEvent.objects.filter(action__startswith="auth.").values_list("action", flat=True))
    assert actions == ["auth.login_failed", "auth.login", "auth.logout"]


def test_role_changes_in_admin_are_recorded(world, admin_client):
    from assessments.models import Membership

    before = AuditEvent.objects.filter(action__startswith="role.").count()
    membership = Membership.objects.get(user=world.users["contributor_a"])
    response = admin_client.post(
        f"/admin/assessments/membership/{membership.pk}/change/",
        {"user": membership.user_id, "agency": membership.agency_id, "role": "leader"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="role.changed").last()
    assert AuditEvent.objects.filter(action__startswith="role.").count() == before + 1
    assert event.details == {"role": "leader", "user_id": membership.user_id}
    assert event.actor_id is not None


# --- The keyed chain, checkpoints, malformed rows ---------------------------------------------------------


def _legacy_event(action: str) -> AuditEvent:
    """An event as written before the chain was keyed: plain SHA-256, no key id."""
    from django.utils import timezone

    head, _ = AuditHead.objects.get_or_create(pk=1)
    event = AuditEvent(action=action, created_at=timezone.now(), details={}, prev_hash=head.last_hash, key_id="")
    event.hash = audit.compute_hash(event)
    event.save()
    AuditHead.objects.filter(pk=1).update(count=head.count + 1, last_hash=event.hash, last_event_id=event.pk)
    return event


def test_new_events_are_keyed_and_anchored_at_the_old_head(db):
    import hashlib

    old = [_legacy_event(f"old.{i}") for i in range(3)]
    new = audit.record(None, "new.event")
    assert old[0].hash == hashlib.sha256(audit.canonical(old[0])).hexdigest()
    assert new.key_id and new.prev_hash == old[-1].hash
    assert new.hash != hashlib.sha256(audit.canonical(new)).hexdigest()  # an HMAC, not a plain digest
    code, data = _verify()
    assert code == 0 and data["count"] == 4 and data["keyed_from"] == new.pk


def test_an_edit_rehashed_without_the_key_is_caught(chain):
    import hashlib

    event = AuditEvent.objects.get(pk=chain[4].pk)
    event.details, event.key_id = {"n": 99}, ""
    forged = hashlib.sha256(audit.canonical(event)).hexdigest()
    _raw_sql(
        "UPDATE assessments_auditevent SET details=%s, key_id='', hash=%s WHERE id=%s",
        [json.dumps({"n": 99}), forged, event.pk],
    )
    _raw_sql("UPDATE assessments_audithead SET last_hash=%s WHERE id=1", [forged])
    code, data = _verify()
    assert code == 1 and data["bad_event_id"] == chain[4].pk
    assert "unkeyed event follows keyed ones" in data["reason"]


def test_a_malformed_row_is_reported_without_a_traceback(chain):
    from io import StringIO

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's column types refuse the malformed value itself")
    _raw_sql("UPDATE assessments_auditevent SET created_at='not a time' WHERE id=%s", [chain[2].pk])
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_log", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert f"after #{chain[1].pk} cannot be read" in err.getvalue() and "Traceback" not in err.getvalue()


def test_a_checkpoint_is_sealed_into_report_storage_and_verified(chain):
    from django.core.files.storage import default_storage

    from assessments.audit import checkpoints as audit_checkpoints

    written = audit_checkpoints.write()
    assert written["written"] and written["count"] == 5
    document = json.loads(default_storage.open(written["name"]).read())
    assert document["head"]["hash"] == chain[-1].hash and document["cms"]
    assert audit_checkpoints.write() == {"written": False, "reason": "unchanged", "name": written["name"]}
    code, data = _verify()
    assert code == 0 and data["checkpoint"]["count"] == 5


def test_a_forged_checkpoint_is_refused(chain):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from assessments.audit import checkpoints as audit_checkpoints

    name = audit_checkpoints.write()["name"]
    document = json.loads(default_storage.open(name).read())
    document["head"]["count"] = 2
    default_storage.save("audit-checkpoints/000000000000009-x.json", ContentFile(json.dumps(document).encode()))
    code, data = _verify()
    assert code == 1 and "not sealed with this installation's certificate" in data["reason"]


def test_a_rollback_behind_a_checkpoint_is_named(chain):
    from assessments.audit import checkpoints as audit_checkpoints

    audit_checkpoints.write()
    _raw_sql("DELETE FROM assessments_auditevent WHERE id=%s", [chain[4].pk])
    _raw_sql(
        "UPDATE assessments_audithead SET count=4, last_hash=%s, last_event_id=%s WHERE id=1",
        [chain[3].hash, chain[3].pk],
    )
    code, data = _verify()
    assert code == 1 and "rolled back" in data["reason"] and "records 5 events" in data["reason"]
    assert audit_checkpoints.write()["written"] is False  # the rolled-back head is never sealed


def test_a_decision_writes_a_checkpoint(world, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from assessments.audit import checkpoints as audit_checkpoints
    from tests import review_helpers as h

    with django_capture_on_commit_callbacks(execute=True):
        h.approved(world, "Checkpoint on decision")
    _folders, names = default_storage.listdir(audit_checkpoints.FOLDER)
    assert names
    newest = audit_checkpoints.relevant()[-1]
    assert newest["count"] >= AuditEvent.objects.filter(action="assessment.approved").count()


# --- Admin changes ----------------------------------------------------------------------------------------


def test_every_admin_change_is_chained_with_field_names_only(world, admin_client):
    from django.contrib.auth import get_user_model

    response = admin_client.post(
        "/admin/auth/user/add/",
        {"username": "ny_bruker", "password1": "Kx8!long-pass-2026", "password2": "Kx8!long-pass-2026",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    user = get_user_model().objects.get(username="ny_bruker")
    created = AuditEvent.objects.filter(action="admin.created").last()
    assert (created.object_type, created.object_id) == ("user", str(user.pk))
    assert created.details["model"] == "auth.user" and created.actor_id is not None

    data = {"username": "ny_bruker", "first_name": "Kari", "last_name": "Nordmann", "email": "kari@example.org",
            "is_active": "on", "is_staff": "on", "is_superuser": "on", "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00"}  # fmt: skip
    response = admin_client.post(f"/admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content[:3000]
    changed = AuditEvent.objects.filter(action="admin.changed").last()
    assert {"is_superuser", "is_staff", "first_name", "email"} <= set(changed.details["fields"])
    payload = audit.canonical(changed).decode()
    assert "Kari" not in payload and "kari@example.org" not in payload

    response = admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditEvent.objects.filter(action="admin.deleted").last()
    assert deleted.object_id == str(user.pk)
    assert _verify()[0] == 0


def test_group_mappings_and_inline_memberships_are_chained(world, admin_client):
    response = admin_client.post(
        "/admin/assessments/groupmapping/add/", {"group_id": "grp-x", "role": "reviewer", "note": ""}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="admin.created").last()
    assert event.details == {"model": "assessments.groupmapping", "fields": ["group_id", "role"]}


def test_every_registered_admin_is_audited():
    from assessments.admin.audited import audited_admin_site_check

    assert audited_admin_site_check() == []


# --- Capped anonymous writes and request ids --------------------------------------------------------------


def test_failed_sign_ins_count_once_per_window_per_username_and_address(world):
    from django.test import Client

    client = Client()
    for _ in range(4):
        client.post("/logg-inn/", {"username": "leader_a", "password": "wrong"})
    for name in ("ghost1", "ghost2"):
        client.post("/logg-inn/", {"username": name, "password": "wrong"})
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() == 3  # leader_a once, each made-up name once
    from assessments.models import AuditWriteCap

    assert sorted(AuditWriteCap.objects.values_list("count", flat=True)) == [1, 1, 4]


def test_record_capped_starts_again_in_the_next_window(db, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    first = audit.record_capped("test.capped", bucket="b", window_seconds=60)
    assert first is not None and "repeats_before" not in first.details
    assert audit.record_capped("test.capped", bucket="b", window_seconds=60) is None
    assert audit.record_capped("test.capped", bucket="b", window_seconds=60) is None
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second = audit.record_capped("test.capped", bucket="b", window_seconds=60)
    assert second is not None and second.details["repeats_before"] == 2  # the two not recorded one by one
    much_later = later + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: much_later)
    assert "repeats_before" not in audit.record_capped("test.capped", bucket="b", window_seconds=60).details


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("abc-123.x_y", "abc-123.x_y"), ("abc\n", None), ("x" * 65, None), ("<script>", None), ("a b", None)],
)
def test_request_ids_are_checked_before_they_are_stored(world, sent, stored):
    from django.test import Client

    response = Client().post("/logg-inn/", {"username": "leader_a", "password": "wrong"}, HTTP_X_REQUEST_ID=sent)
    event = AuditEvent.objects.filter(action="auth.login_failed").last()
    assert event.request_id == response["X-Request-ID"]
    if stored is None:
        assert event.request_id != sent and len(event.request_id) == 32
    else:
        assert event.request_id == stored


@pytest.mark.parametrize("header", [{"HTTP_COOKIE": "sessionid=abcdefghij\x00klm"}, {"HTTP_USER_AGENT": "a\x00b"}])
def test_a_nul_byte_in_a_header_is_a_400_page_before_the_session_or_the_lockout_read_it(client, db, header):
    response = client.post(reverse("assessments:login"), {"username": "x", "password": "y"}, **header)
    assert response.status_code == 400
    assert "Forespørselen kan ikke behandles" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_with_debug_and_no_key_one_is_generated_once_into_the_data_folder(settings, tmp_path):
    import stat

    from assessments.audit import key as audit_key

    settings.KIV_AUDIT_KEY, settings.KIV_AUDIT_KEY_GENERATE, settings.DATA_DIR = None, True, tmp_path
    first = audit_key.key()
    path = tmp_path / "audit" / audit_key.DEFAULT_KEY_NAME
    assert path.read_text().strip().encode() == first and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    audit_key._load.cache_clear()
    assert audit_key.key() == first  # read back, not made again
    settings.KIV_AUDIT_KEY_GENERATE = False
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="KIV_AUDIT_KEY"):
        audit_key.key()


def test_a_checkpoint_seal_is_made_and_checked_inside_a_running_event_loop():
    """The seal runs through asyncio.run(), which a running loop refuses (a test driving a browser, an async
    server): a checkpoint written there was lost, with a coroutine never awaited."""
    from assessments.audit import checkpoints as audit_checkpoints

    async def inside_a_loop():
        cms_der = audit_checkpoints._sign(b"head")
        return audit_checkpoints._verify_signature(b"head", cms_der)

    assert asyncio.run(inside_a_loop()) is True
