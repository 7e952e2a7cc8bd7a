import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from assessments import audit
from assessments.models import AuditEvent, AuditHead


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
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE assessments_auditevent DISABLE TRIGGER kiv_audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE assessments_auditevent ENABLE TRIGGER kiv_audit_append_only")


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
