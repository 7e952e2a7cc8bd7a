from django.contrib import admin
from django.urls import path
from django.views.i18n import set_language

from assessments import views
from assessments.permissions import public

# Every URL here must have a row in tests/permission_matrix.py: the matrix test fails otherwise.
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("logg-inn/", views.login, name="login"),
    path("logg-ut/", views.logout, name="logout"),
    path("personvern/", views.privacy, name="privacy"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
