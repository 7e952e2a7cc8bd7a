import pytest


@pytest.mark.django_db
def test_it_reports_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["checks"]["database"]["ok"] and data["checks"]["broker"]["ok"]


@pytest.mark.django_db
def test_it_reports_an_unreachable_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.django_db
def test_it_reports_a_broken_database(client, monkeypatch):
    from assessments import health

    def broken(connection):
        return {"ok": False, "detail": "OperationalError: connection refused"}

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False}  # anonymous: no details


@pytest.mark.django_db
def test_anonymous_callers_get_ok_or_fail_only_staff_and_the_log_get_details(client, monkeypatch, caplog):
    from django.contrib.auth import get_user_model

    from assessments import health

    def broken(connection):
        return {"ok": False, "detail": "OperationalError: connection to db.internal:5432 as kiv refused"}

    monkeypatch.setattr(health, "check_database", broken)
    anonymous = client.get("/healthz").json()
    assert all(set(check) == {"ok"} for check in anonymous["checks"].values())
    assert "db.internal" not in str(anonymous) and "redis" not in str(anonymous)
    assert "db.internal:5432" in caplog.text  # the details go to the log
    staff = get_user_model().objects.create_user("ops", password="x", is_staff=True)
    client.force_login(staff)
    detailed = client.get("/healthz").json()
    assert detailed["checks"]["database"]["detail"].startswith("OperationalError")
