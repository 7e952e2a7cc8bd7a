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
    assert response.json()["checks"]["database"]["detail"].startswith("OperationalError")
