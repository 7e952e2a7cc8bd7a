"""Walk every URL pattern of the project: each must have a row in the permission matrix, and each
row's expectations must hold for every role."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.objects import build_objects
from tests.permission_matrix import MATRIX


def iter_url_names(patterns=None, namespace=""):
    """Yield (name, pattern string) for every pattern, nested includes and namespaces too.
    Unnamed patterns inside a namespace are yielded as "namespace:" so a "namespace:*" row covers them."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from iter_url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else (namespace or None)
            yield name, str(pattern.pattern)


def unlisted_urls(patterns=None) -> list[str]:
    missing = []
    for name, route in iter_url_names(patterns):
        if name is None:
            missing.append(f"(unnamed) {route}")
        elif name not in MATRIX and not (":" in name and f"{name.split(':')[0]}:*" in MATRIX):
            missing.append(name)
    return missing


def test_every_url_has_a_row_in_the_matrix():
    assert unlisted_urls() == [], "Add these URLs to tests/permission_matrix.py"


def test_the_walk_fails_for_an_unlisted_url():
    from django.urls import path

    def sneaky_view(request):  # pragma: no cover - never called
        raise AssertionError

    patterns = [*get_resolver().url_patterns, path("sneaky/", sneaky_view, name="sneaky"), path("x/", sneaky_view)]
    assert unlisted_urls(patterns) == ["sneaky", "(unnamed) x/"]


def test_every_matrix_row_names_a_real_url():
    names = {name for name, _ in iter_url_names() if name}
    for key in MATRIX:
        if key.endswith(":*"):
            assert any(n.startswith(key[:-1]) for n in names), key
        else:
            assert key in names, f"{key} is in the matrix but not in urls"


CASES = [(name, role) for name, row in MATRIX.items() for role in row["expect"]]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access(world, name, role):
    row = MATRIX[name]
    objects = build_objects(world)
    url_name = row.get("sample", name)
    args = row["args"](world, objects) if "args" in row else []
    url = reverse(url_name, args=args)
    client = world.client(role)
    response = getattr(client, row.get("method", "get"))(url)
    assert response.status_code == row["expect"][role], f"{role} {url}"
    if row["expect"][role] == 404:
        # Invisible means invisible: nothing of the object leaks into the body.
        for secret in objects.secrets():
            assert secret not in response.content.decode(errors="replace")
