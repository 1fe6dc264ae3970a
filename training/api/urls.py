from django.urls import path

from training.api import archive_views, views

urlpatterns = [
    path("", views.DatasetListCreateView.as_view(), name="dataset-list"),
    path("<int:pk>/", views.DatasetDetailView.as_view(), name="dataset-detail"),
    path("<int:pk>/build/", views.DatasetBuildView.as_view(), name="dataset-build"),
    path("<int:pk>/rebuild/", views.DatasetRebuildView.as_view(), name="dataset-rebuild"),
    path("<int:pk>/archive/", archive_views.DatasetArchiveView.as_view(), name="dataset-archive"),
    path("<int:pk>/files/<path:path>", views.DatasetFileView.as_view(), name="dataset-file"),
]
