from django.urls import path

from training.api import run_views as views

urlpatterns = [
    path("runs/", views.RunListCreateView.as_view(), name="run-list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run-detail"),
    path("runs/<int:pk>/files/<path:path>", views.RunFileView.as_view(), name="run-file"),
    path("runs/<int:pk>/cancel/", views.RunCancelView.as_view(), name="run-cancel"),
    path("reward-models/", views.RewardModelListView.as_view(), name="reward-model-list"),
    path("reward-models/promoted/curves/", views.PromotedModelCurvesView.as_view(), name="reward-model-curves"),
    path("reward-models/<int:pk>/promote/", views.RewardModelPromoteView.as_view(), name="reward-model-promote"),
    path("retrain-policies/", views.RetrainPolicyListView.as_view(), name="retrain-policy-list"),
    path("retrain-policies/<int:pk>/retrain/", views.RetrainNowView.as_view(), name="retrain-now"),
]
