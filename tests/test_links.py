"""Row links built from one reverse() are the links reverse() gives."""

import uuid

import pytest
from django.urls import reverse

from assessments.presentation.links import uuid_link


@pytest.mark.parametrize("name, arity", [("assessments:review_detail", 1), ("assessments:report_download", 2)])
def test_a_row_link_is_what_reverse_gives(name, arity):
    link = uuid_link(name, arity)
    for _ in range(5):
        ids = [uuid.uuid4() for _ in range(arity)]
        assert link(*ids) == reverse(name, args=ids)


def test_the_number_of_ids_must_match():
    with pytest.raises(ValueError):
        uuid_link("assessments:review_detail")(uuid.uuid4(), uuid.uuid4())
