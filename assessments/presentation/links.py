"""Links: the wizard's step URLs (`step_url`, used by the wizard and by the template tag that links a missing answer
back to its step), and links for the rows of long lists at the cost of one `reverse()` a page instead of one a row.

Why: a page of 50 rows reversed its links 50 to 100 times, about 25 µs each, which was a tenth of what a row
costs to draw (docs/benchmarks.md, "Review, register and search at scale"). A UUID stands in a path as its
`str()`, so the path reversed once with placeholder UUIDs gives each row's path by string replacement, the
same string `reverse()` would give (tests/test_links.py compares them).
"""

import uuid
from collections.abc import Callable

from django.urls import reverse


def uuid_link(name: str, arity: int = 1) -> Callable[..., str]:
    """A function of `arity` UUIDs that returns `reverse(name, args=those UUIDs)`."""
    placeholders = [str(uuid.UUID(int=number)) for number in range(1, arity + 1)]
    path = reverse(name, args=placeholders)

    def link(*ids) -> str:
        out = path
        for placeholder, value in zip(placeholders, ids, strict=True):
            out = out.replace(placeholder, str(value))
        return out

    return link


# The wizard's last step, after the questionnaire's sections (the definition validator reserves the key).
SUMMARY = "summary"
# The query parameter that sends "save and continue" back to the summary.
RETURN_PARAM = "tilbake"


def step_url(assessment, step: str, *, back_to_summary: bool = False) -> str:
    url = reverse("assessments:assessment_step", kwargs={"uuid": assessment.uuid, "step": step})
    return f"{url}?{RETURN_PARAM}={SUMMARY}" if back_to_summary else url
