from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from assessments.permissions import public

# Every URL here and in assessments/urls.py must have a row in tests/permission_matrix.py: the matrix test
# fails otherwise.
urlpatterns = [
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("assessments.urls")),
]
