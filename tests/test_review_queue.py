"""UKE's queue: every submitted assessment across agencies, filtered, counted, oldest first, paginated."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.demo.synthetic import seed_bulk_assessments
from assessments.models import Assessment, AssessmentVersion
from assessments.views.review import PAGE_SIZE
from tests import review_helpers as h

QUEUE = reverse("assessments:review_queue")


def titles(response) -> list[str]:
    body = response.content.decode()
    return re.findall(r'<td><a href="/vurderinger/[0-9a-f-]+/behandling/">([^<]+)</a></td>', body)


def backdate(assessment, days: int) -> None:
    AssessmentVersion.objects.filter(assessment=assessment).update(submitted_at=timezone.now() - timedelta(days=days))


def test_it_lists_submissions_of_every_agency_oldest_first_and_not_drafts(world):
    newer = h.submitted(world, "Nyere innsending")
    older = h.submitted(world, "Eldre innsending")
    backdate(older, 10)
    backdate(newer, 2)
    h.draft(world, "Utkast som ikke er sendt")
    response = world.client("reviewer").get(QUEUE)
    assert response.status_code == 200
    assert titles(response) == ["Eldre innsending", "Nyere innsending"]
    newest_first = world.client("reviewer").get(QUEUE, {"sort": "newest"})
    assert titles(newest_first) == ["Nyere innsending", "Eldre innsending"]
    assert "Utkast som ikke er sendt" not in response.content.decode()


def test_it_filters_by_status_agency_verdict_and_quadrant(world):
    plain = h.submitted(world, "Vanlig sak")
    stopped = h.submitted(world, "Stoppet sak", **h.STOP)
    returned = h.submitted(world, "Returnert sak")
    world.client("reviewer").post(
        reverse("assessments:review_return", args=[returned.uuid]),
        {"return-reason": "Mangler svar.", "return-version": 1},
    )
    client = world.client("reviewer")
    # Default: what waits for UKE.
    assert set(titles(client.get(QUEUE))) == {"Vanlig sak", "Stoppet sak"}
    assert titles(client.get(QUEUE, {"status": "returned"})) == ["Returnert sak"]
    assert set(titles(client.get(QUEUE, {"status": ""}))) == {"Vanlig sak", "Stoppet sak", "Returnert sak"}
    assert titles(client.get(QUEUE, {"status": "submitted", "verdict": "stop"})) == ["Stoppet sak"]
    quadrant = plain.latest_version().quadrant
    expected = {a.title for a in (plain, stopped) if a.latest_version().quadrant == quadrant}
    assert set(titles(client.get(QUEUE, {"status": "submitted", "quadrant": quadrant}))) == expected
    assert titles(client.get(QUEUE, {"status": "submitted", "agency": world.agency_b.pk})) == []
    assert set(titles(client.get(QUEUE, {"status": "submitted", "agency": world.agency_a.pk}))) == {
        "Vanlig sak",
        "Stoppet sak",
    }


def test_it_counts_per_status(world):
    h.submitted(world, "En")
    h.submitted(world, "To")
    third = h.submitted(world, "Tre")
    world.client("reviewer").post(
        reverse("assessments:review_return", args=[third.uuid]), {"return-reason": "Mangler svar.", "return-version": 1}
    )
    body = world.client("reviewer").get(QUEUE).content.decode()
    assert re.search(r"Sendt inn: <strong>2</strong>", body)
    assert re.search(r"Returnert for endring: <strong>1</strong>", body)


def test_a_bad_filter_value_lists_nothing_and_says_so(world):
    """An invalid filter is not used as no filter (views/filters.py); the counts per status stay."""
    h.submitted(world, "Vanlig sak")
    response = world.client("reviewer").get(QUEUE, {"status": "nonsense", "agency": "abc"})
    body = response.content.decode()
    assert response.status_code == 200
    assert titles(response) == []
    assert "Søket ble ikke brukt: rett feltene over." in body
    assert re.search(r"Sendt inn: <strong>1</strong>", body)


def test_it_is_paginated(world):
    h.questionnaire()
    seed_bulk_assessments(160)
    waiting = Assessment.objects.filter(status="submitted").count()
    assert waiting > PAGE_SIZE
    client = world.client("reviewer")
    first, last = client.get(QUEUE), client.get(QUEUE, {"page": 99})
    assert len(titles(first)) == PAGE_SIZE
    pages = -(-waiting // PAGE_SIZE)
    assert len(titles(last)) == waiting - (pages - 1) * PAGE_SIZE
    assert not set(titles(first)) & set(titles(last))
    assert f"({waiting} treff)" in first.content.decode()


# Session, user, the user's roles (3), the page's count, the page, the counts per status, the agencies of
# the filter: the same whether there are 30 assessments or 400 (or 10,000: bench/queries.py).
# One of them is the tool overview's: the open flags shown above the list.
QUERY_LIMIT = 10


@pytest.mark.parametrize("params", [{}, {"status": "", "sort": "newest", "page": 2}])
def test_it_runs_a_constant_number_of_queries(world, django_assert_max_num_queries, params):
    h.questionnaire()
    client = world.client("reviewer")
    for size in (30, 400):
        seed_bulk_assessments(size)
        with django_assert_max_num_queries(QUERY_LIMIT):
            response = client.get(QUEUE, params)
        assert titles(response)  # a real page was rendered, not an empty one


def test_the_list_queries_see_exactly_what_the_permission_layer_allows(world):
    """The version lists filter with permissions.submitted_scope, visible_assessments with it plus the
    drafts rule: the lists must show exactly the submitted assessments the permission layer lets each role
    see, including an auditor limited to some agencies."""
    from assessments.models import MunicipalRole
    from assessments.permissions import visible_assessments
    from assessments.queries import lists as queries
    from tests.conftest import make_user

    h.questionnaire()
    seed_bulk_assessments(120)  # spread over 60 agencies, agency A and B among them
    h.submitted(world, "Egen innsending")
    scoped = make_user("scoped_auditor")
    MunicipalRole.objects.create(user=scoped, role="auditor").agencies.set([world.agency_b])
    # The officers read through their own pages only (tests/test_officers.py): nothing to compare here.
    officers = {world.users["dpo"], world.users["security_officer"]}
    people = [*(u for u in world.users.values() if u not in officers), scoped]
    for user in people:
        allowed = set(visible_assessments(user).filter(submitted_once=True).values_list("pk", flat=True))
        listed = set(queries.latest_versions().filter(queries.visible_versions(user))
                     .values_list("assessment_id", flat=True))  # fmt: skip
        assert listed == allowed, user.username
        assert allowed, user.username  # every role sees something here, so the comparison means something


def test_a_filter_value_not_offered_is_named_in_our_words(world):
    body = world.client("reviewer").get(reverse("assessments:review_queue"), {"agency": "abc"}).content.decode()
    assert "«abc» er ikke et gyldig valg. Velg et av alternativene." in body
    assert "Velg et gyldig valg" not in body  # Django's own words, which miss one
