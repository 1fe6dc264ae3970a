"""/api/people/ (admins only): thin adapters over people.services and people.selectors.

An invitation or reset answers with the one-time link once; it is never shown again (only its
hash is stored)."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from people import selectors, services
from studio_platform.errors import NotFound
from studio_platform.permissions import IsStudioAdmin
from studio_platform.roles import ROLES


class InviteSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.CharField(max_length=254, required=False, default="", allow_blank=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLES), min_length=1, max_length=3)


class RolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLES), min_length=1, max_length=3)


class PauseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=["active", "paused", "invited"])
    paused_campaigns = serializers.IntegerField()
    submitted = serializers.IntegerField()
    gold_accuracy = serializers.FloatField(allow_null=True)
    gold_answers = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    last_login = serializers.CharField(allow_null=True)
    date_joined = serializers.CharField()


LinkSerializer = inline_serializer("SignInLinkIssued", fields={
    "id": serializers.IntegerField(), "username": serializers.CharField(), "link": serializers.CharField(),
    "expires_at": serializers.DateTimeField(),
})


def _link_payload(request, issued: services.IssuedLink) -> dict:
    path = reverse("welcome", kwargs={"token": issued.token})
    return {"id": issued.user.pk, "username": issued.user.username, "link": request.build_absolute_uri(path),
            "expires_at": issued.expires_at.isoformat()}


def _person(pk: int):
    user = selectors.person_get(person_id=pk)
    if user is None:
        raise NotFound(f"No person {pk}; list them at /api/people/.")
    return user


class PeopleView(APIView):
    """GET: everyone with their roles, state and statistics. POST: invite someone (a one-time link)."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(responses={200: PersonSerializer(many=True)})
    def get(self, request):
        return Response(selectors.people_list())

    @extend_schema(request=InviteSerializer, responses={201: LinkSerializer})
    def post(self, request):
        body = InviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issued = services.person_invite(**body.validated_data, created_by=request.user, request=request)
        return Response(_link_payload(request, issued), status=status.HTTP_201_CREATED)


class PersonRolesView(APIView):
    permission_classes = [IsStudioAdmin]

    @extend_schema(request=RolesSerializer, responses={200: RolesSerializer})
    def post(self, request, pk: int):
        body = RolesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        roles = services.person_roles_set(user=_person(pk), roles=body.validated_data["roles"], actor=request.user,
                                          request=request)
        return Response({"roles": roles})


CampaignsSerializer = inline_serializer("PersonCampaigns", fields={
    "campaigns": serializers.ListField(child=serializers.IntegerField())})


class PersonPauseView(APIView):
    """Pause in every campaign that is not closed (no new pairs; live leases released)."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=PauseSerializer, responses={200: CampaignsSerializer})
    def post(self, request, pk: int):
        body = PauseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaigns = services.person_pause(user=_person(pk), reason=body.validated_data["reason"], actor=request.user,
                                          request=request)
        return Response({"campaigns": campaigns})


class PersonResumeView(APIView):
    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses={200: CampaignsSerializer})
    def post(self, request, pk: int):
        return Response({"campaigns": services.person_resume(user=_person(pk), actor=request.user, request=request)})


class PersonPasswordResetView(APIView):
    """The password stops working; the answer holds a new one-time link."""

    permission_classes = [IsStudioAdmin]

    @extend_schema(request=None, responses={200: LinkSerializer})
    def post(self, request, pk: int):
        issued = services.person_password_reset(user=_person(pk), actor=request.user, request=request)
        return Response(_link_payload(request, issued))
