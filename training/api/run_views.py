"""Run, reward-model and retrain-policy endpoints: thin adapters over training.runs.

Reviewers and admins read; only admins start, cancel, promote and retrain."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from studio_platform.audit import audit_record
from studio_platform.errors import NotFound, ValidationFailed
from studio_platform.permissions import IsReviewer, IsStudioAdmin
from training.api import run_serializers as s
from training.models import RetrainPolicy, RewardModelVersion, RunKind, RunState
from training.runs import registry, retrain, selectors, services


def _run_or_404(pk: int):
    run = selectors.run_get(run_id=pk)
    if run is None:
        raise NotFound(f"No training run {pk}; list them at /api/runs/.")
    return run


class RunListCreateView(ListAPIView):
    """GET: runs, newest first (?kind=, ?state=). POST: start a run (admins)."""

    serializer_class = s.RunSerializer

    def get_permissions(self):
        return [IsStudioAdmin()] if self.request.method == "POST" else [IsReviewer()]

    def get_queryset(self):
        kind, state = self.request.query_params.get("kind"), self.request.query_params.get("state")
        return selectors.run_list(kind=kind if kind in RunKind.values else None,
                                  state=state if state in RunState.values else None)

    @extend_schema(request=s.RunCreateSerializer, responses={201: s.RunSerializer})
    def post(self, request):
        body = s.RunCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run = services.run_create(kind=data["kind"], config=data["config"], options=data["options"],
                                  dataset_version=data["dataset_version"], reward_model=data["reward_model"],
                                  created_by=request.user, dense=data["dense"])
        audit_record(request=request, action="run.start", target=run,
                     details={"kind": run.kind, **({"dense": True} if data["dense"] else {})})
        return Response(s.RunSerializer(run).data, status=status.HTTP_201_CREATED)


class RunDetailView(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses=s.RunDetailSerializer)
    def get(self, request, pk: int):
        return Response(s.RunDetailSerializer(_run_or_404(pk)).data)


class RunCancelView(APIView):
    """A queued run is cancelled at once; a running one stops at its next step (202 until then)."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses={202: s.RunSerializer})
    def post(self, request, pk: int):
        run = services.run_cancel(run=_run_or_404(pk))
        audit_record(request=request, action="run.cancel", target=run, details={"state": run.state})
        return Response(s.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RewardModelListView(ListAPIView):
    permission_classes = [IsReviewer]
    serializer_class = s.RewardModelSerializer

    def get_queryset(self):
        return selectors.reward_model_list()


MSG_CURVE_VIDEOS = ("videos must be 1 to {max} video ids separated by commas, e.g. ?videos=17,18; got {got!r}")


class PromotedModelCurvesView(APIView):
    """The promoted reward model's score curves of the given videos (the pair page plots them under its
    players). Lives here, not in annotation's pair API: annotation never imports training."""

    permission_classes = [IsReviewer]

    @extend_schema(parameters=[OpenApiParameter("videos", str, description="video ids, comma-separated")],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        raw = request.query_params.get("videos", "")
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        # ASCII digits of at most 18 (a bigint's range): "²" or 10**30 is a 400, never a 500
        if (not parts or len(parts) > selectors.MAX_CURVE_VIDEOS
                or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts)):
            raise ValidationFailed(MSG_CURVE_VIDEOS.format(max=selectors.MAX_CURVE_VIDEOS, got=raw))
        return Response(selectors.promoted_model_curves(video_ids=[int(p) for p in parts]))


class RewardModelPromoteView(APIView):
    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses=s.RewardModelSerializer)
    def post(self, request, pk: int):
        version = RewardModelVersion.objects.filter(pk=pk).first()
        if version is None:
            raise NotFound(f"No reward model {pk}; list them at /api/reward-models/.")
        version = registry.reward_version_promote(version=version, by_user=request.user)
        audit_record(request=request, action="reward_model.promote", target=version, details={})
        return Response(s.RewardModelSerializer(version).data)


class RetrainPolicyListView(ListAPIView):
    permission_classes = [IsStudioAdmin]
    serializer_class = s.RetrainPolicySerializer

    def get_queryset(self):
        return selectors.retrain_policy_list()


class RetrainNowView(APIView):
    """"Retrain now": freeze a dataset version of the policy's campaigns and start a reward run."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses={201: s.RunSerializer})
    def post(self, request, pk: int):
        policy = RetrainPolicy.objects.filter(pk=pk).first()
        if policy is None:
            raise NotFound(f"No retrain policy {pk}; list them at /api/retrain-policies/.")
        run = retrain.retrain_now(policy=policy, created_by=request.user)
        audit_record(request=request, action="run.retrain_now", target=run, details={"policy": policy.pk})
        return Response(s.RunSerializer(run).data, status=status.HTTP_201_CREATED)


class RunFileView(APIView):
    """A file a run wrote for people to look at (GAPO evaluation samples and their index), served
    from RUNS_ROOT/<run>/; on object storage the published copy's signed URL."""

    permission_classes = [IsReviewer]
    ALLOWED_SUFFIXES = {".mp4": "video/mp4", ".json": "application/json"}

    @extend_schema(responses={200: bytes})
    def get(self, request, pk: int, path: str):
        from django.http import FileResponse

        from training.runs.files import run_file_path

        run = _run_or_404(pk)
        target = run_file_path(run.pk, path, allowed_suffixes=set(self.ALLOWED_SUFFIXES))
        if target is None:
            raise NotFound(f"{path!r} is not a sample file of run {pk}; the run's detail lists its samples.")
        return FileResponse(open(target, "rb"), content_type=self.ALLOWED_SUFFIXES[target.suffix])
