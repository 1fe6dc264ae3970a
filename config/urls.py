from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from annotation import admin_pages, data_pages, views
from annotation import pages as work_pages  # the label and review shells
from annotation.api.media import media_file
from people import pages as people_pages
from training import pages as training_pages

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("label/<int:campaign_id>/", work_pages.label, name="label"),
    path("review/<int:campaign_id>/", work_pages.review, name="review"),
    path("studio/data/", data_pages.data_browser, name="data-browser"),
    path("studio/pairs/<int:pair_id>/", data_pages.pair_page, name="pair-page"),
    path("studio/mine/", data_pages.my_history, name="my-history-page"),
    path("studio/campaigns/", admin_pages.campaigns, name="studio-campaigns"),
    path("studio/imports/", admin_pages.imports, name="studio-imports"),
    path("runs/", training_pages.runs, name="runs"),
    path("runs/<int:run_id>/", training_pages.run_detail, name="run-page"),
    path("studio/exports/", training_pages.exports, name="exports-page"),
    path("studio/people/", people_pages.people, name="people-page"),
    path("accounts/welcome/<str:token>/", people_pages.welcome, name="welcome"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the home and sign-in pages' switcher
    path("admin/", admin.site.urls),
    path("api/", include("annotation.api.urls")),
    path("api/datasets/", include("training.api.urls")),
    path("api/people/", include("people.urls")),
    path("api/", include("training.api.run_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", media_file, name="media"),
]
