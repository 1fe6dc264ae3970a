from django.urls import path

from people import api

urlpatterns = [
    path("", api.PeopleView.as_view(), name="people-list"),
    path("<int:pk>/roles/", api.PersonRolesView.as_view(), name="person-roles"),
    path("<int:pk>/pause/", api.PersonPauseView.as_view(), name="person-pause"),
    path("<int:pk>/resume/", api.PersonResumeView.as_view(), name="person-resume"),
    path("<int:pk>/reset-password/", api.PersonPasswordResetView.as_view(), name="person-reset-password"),
]
