"""Every URL of the app (the `assessments` namespace; the project's own URLs are Django's admin, guarded by its
staff check, and `set_language`) is either guarded by the permission layer (`signed_in` or `require`) or marked
`@public`: a new view that forgets both fails here, before the permission matrix is asked what it returns."""

from django.urls import URLPattern, URLResolver, get_resolver


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def app_views():
    resolver = get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "assessments":
            yield from _views(entry.url_patterns, str(entry.pattern))


def test_the_app_has_views_to_check():
    assert len(list(app_views())) > 50


def test_every_view_is_guarded_or_marked_public():
    open_views = [
        route
        for route, view in app_views()
        if not getattr(view, "kiv_guarded", False) and not getattr(view, "kiv_public", False)
    ]
    assert open_views == []
