from django.urls import path

from annotation.api import admin_views, review_views, views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/archive/", views.CampaignArchiveView.as_view(), name="campaign-archive"),
    path("campaigns/<int:pk>/next/", views.NextPairView.as_view(), name="campaign-next"),
    path("campaigns/<int:pk>/progress/", views.CampaignProgressView.as_view(), name="campaign-progress"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment-detail"),
    path("assignments/<int:pk>/heartbeat/", views.HeartbeatView.as_view(), name="assignment-heartbeat"),
    path("assignments/<int:pk>/submit/", views.SubmitView.as_view(), name="assignment-submit"),
    path("assignments/<int:pk>/skip/", views.SkipView.as_view(), name="assignment-skip"),
    path("assignments/<int:pk>/flag/", views.FlagView.as_view(), name="assignment-flag"),
    path("imports/", admin_views.ImportView.as_view(), name="import"),
    path("review/campaigns/<int:pk>/annotators/", review_views.CampaignAnnotatorsView.as_view(), name="review-annotators"),
    path("review/pairs/<int:pk>/segments/", review_views.PairSegmentsView.as_view(), name="review-pair-segments"),
    path("campaigns/<int:pk>/quality/agreement/history/", review_views.AgreementHistoryView.as_view(),
         name="quality-agreement-history"),
]

from annotation.api.quality_views import quality_urls  # noqa: E402

urlpatterns += quality_urls

from annotation.api.upload_views import upload_urls  # noqa: E402

urlpatterns += upload_urls

from annotation.api.data_views import data_urls  # noqa: E402

urlpatterns += data_urls

from annotation.api.import_views import import_urls  # noqa: E402

urlpatterns += import_urls
