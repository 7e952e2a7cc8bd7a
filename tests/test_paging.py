"""Pages of long lists (assessments/queries/paging.py): exact counts up to a cap, an estimate beyond it on
PostgreSQL ("ca. N"), working pages and filters either way, and a constant number of queries."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from assessments.audit import chain as audit
from assessments.demo.synthetic import seed_bulk_assessments
from assessments.models import Assessment, AuditEvent
from assessments.queries import lists as queries
from assessments.queries import paging
from tests import review_helpers as h
from tests.conftest import require_service

REGISTER = reverse("assessments:register")


def postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for estimated counts")


def test_counts_below_the_cap_are_exact_and_come_in_one_query(db, django_assert_num_queries):
    h.questionnaire()
    seed_bulk_assessments(40)
    querysets = {s: Assessment.objects.filter(status=s) for s in Assessment.Status.values}
    with django_assert_num_queries(1):
        counts = paging.bounded_counts(querysets, cap=1000)
    for status, qs in querysets.items():
        assert counts[status] == paging.Count(qs.count())
    assert sum(c.value for c in counts.values()) == 40


def test_counts_above_the_cap_are_estimated_on_postgresql(db):
    postgresql()
    h.questionnaire()
    seed_bulk_assessments(60)
    count = paging.bounded_count(Assessment.objects.all(), cap=10)
    assert count.estimated and count.value > 10
    assert str(count) == f"ca. {count.value}"
    assert paging.bounded_count(Assessment.objects.all(), cap=60) == paging.Count(60)


def test_sqlite_counts_exactly_whatever_the_size(db):
    if connection.vendor == "postgresql":
        pytest.skip("the exact fallback is SQLite's")
    h.questionnaire()
    seed_bulk_assessments(30)
    assert paging.bounded_count(Assessment.objects.all(), cap=5) == paging.Count(30)


def test_an_estimated_pager_says_about_and_still_pages(world, monkeypatch):
    postgresql()
    monkeypatch.setattr(paging, "COUNT_CAP", 20)
    h.questionnaire()
    seed_bulk_assessments(400)
    client = world.client("leader_b")
    # Filtered by kind of AI: counted up to the cap, then estimated (unfiltered, the cells count exactly).
    approved = queries.register(ai_kind="generative").count()
    body = client.get(REGISTER, {"ai_kind": "generative"}).content.decode()
    assert re.search(r"Side 1 av ca\. \d+ \(ca\. \d+ treff\)", body)
    assert 'rel="next"' in body and "Siste" not in body  # no last page when it is not known exactly
    last = (approved - 1) // 50 + 1
    tail = client.get(REGISTER, {"page": last, "ai_kind": "generative"}).content.decode()
    assert 'rel="next"' not in tail and 'rel="prev"' in tail  # the true end, whatever the estimate said
    assert tail.count("<tr>") - 1 == approved - 50 * (last - 1)
    client.cookies["django_language"] = "en"
    english = client.get(REGISTER, {"ai_kind": "generative"}).content.decode()
    assert re.search(r"Page 1 of about \d+ \(about \d+ results\)", english)


def test_the_queue_tabs_count_exactly_from_the_overview_cells(world, monkeypatch):
    postgresql()
    monkeypatch.setattr(paging, "COUNT_CAP", 20)
    h.questionnaire()
    seed_bulk_assessments(200)
    submitted = Assessment.objects.filter(status=Assessment.Status.SUBMITTED).count()
    assert submitted > 20
    body = world.client("reviewer").get(reverse("assessments:review_queue")).content.decode()
    assert f"Sendt inn: <strong>{submitted}</strong>" in body


# Session, user, roles, the page, its count, and what the filters and the page need besides: the same at
# 30 and at 400 assessments (and at 100,000: bench/queries.py). The audit log also reads the chain's head
# and, once per new head, walks the chain and compares it with the newest checkpoint (auditor.py chain_status).
# The register also reads the tool overview for its tool filter and the plan marks for its rows.
QUERY_LIMITS = {"assessments:audit_log": 16, "assessments:register": 11}
LISTS = [
    ("assessments:review_queue", "reviewer", {"status": "", "verdict": "recommended"}),
    ("assessments:review_queue", "reviewer", {"q": "chatbot"}),
    ("assessments:register", "leader_b", {"q": "copilot"}),
    ("assessments:auditor_search", "auditor", {"verdict": "recommended"}),
    ("assessments:auditor_search", "auditor", {"q": "chatbot"}),
    ("assessments:audit_log", "auditor", {}),
    ("assessments:audit_log", "auditor", {"action": "assessment.submitted"}),
    ("assessments:audit_log", "leader_a", {}),
    ("assessments:register_overview", "reviewer", {"group": "agency"}),
]


@pytest.mark.parametrize("url_name, role, params", LISTS)
def test_filtered_lists_run_a_constant_number_of_queries(world, django_assert_max_num_queries, url_name, role, params):
    h.questionnaire()
    client = world.client(role)
    numbers = []
    for size in (30, 400):
        seed_bulk_assessments(size)
        # A title search first asks whether any title has the words (assessments/queries/search.py).
        with django_assert_max_num_queries(QUERY_LIMITS.get(url_name, 10) + ("q" in params)) as captured:
            response = client.get(reverse(url_name), params)
        assert response.status_code == 200
        numbers.append(len(captured.captured_queries))
    assert numbers[0] == numbers[1]


def test_bulk_seeding_writes_the_audit_trail_and_keeps_the_chain(db):
    h.questionnaire()
    summary = seed_bulk_assessments(50)
    assert AuditEvent.objects.filter(action="assessment.created").count() == 50
    assert summary["events"] == AuditEvent.objects.exclude(action="demo.bulk_seeded").count()
    assert audit.verify_chain().ok


def test_a_page_number_past_any_list_is_bounded(db):
    """An estimated pager takes any page past the first (its end is not known): a number too large for the
    database's offset gives the last page it allows, empty, not an error."""

    def estimated():  # a page that shows the end of the list makes the count exact: a new pager each time
        return paging.BoundedPaginator(AuditEvent.objects.order_by("pk"), 50, count=paging.Count(5000, True))

    page = estimated().page("99999999999999999999")
    assert page.number == paging.MAX_PAGE
    assert list(page.object_list) == []
    assert estimated().page("3").number == 3 and estimated().page("x").number == 1
    assert estimated().page("²").number == 1  # a digit to str.isdigit(), not to int()
    assert estimated().page("9" * 5000).number == 1  # more digits than int() converts


def test_a_filter_that_matches_nothing_by_construction_counts_zero(db):
    """Django refuses to compile `pk__in=[]` (the audit log's actor filter when no user matches): such a
    list counts 0, beside the others in the same query."""
    counts = paging.bounded_counts({"all": AuditEvent.objects.all(), "none": AuditEvent.objects.filter(pk__in=[])})
    assert list(counts) == ["all", "none"]  # in the caller's order
    assert counts["none"].value == 0 and not counts["none"].estimated
    assert counts["all"].value == AuditEvent.objects.count()
    assert paging.estimated_count(AuditEvent.objects.filter(pk__in=[])).value == 0


@pytest.mark.parametrize("number", ["0", "-1", "-99999"])
def test_a_page_number_below_one_is_the_first_page_not_the_last(db, number):
    exact = paging.paginate(AuditEvent.objects.order_by("pk"), 1, number, count=paging.Count(5))
    assert exact.number == 1
