from rest_framework.permissions import BasePermission

from studio_platform.roles import ADMIN, ANNOTATOR, REVIEWER, user_has_role


class IsAnnotator(BasePermission):
    """Signed in with the annotator role (reviewers and admins also annotate)."""

    message = "You need the annotator role for this; ask an admin to add you to the 'annotator' group."

    def has_permission(self, request, view):
        return user_has_role(request.user, ANNOTATOR)


class IsReviewer(BasePermission):
    """Signed in as a reviewer or admin: may see all judgments and generator names."""

    message = "Only reviewers and admins may see this."

    def has_permission(self, request, view):
        return user_has_role(request.user, REVIEWER)


class IsStudioAdmin(BasePermission):
    """Signed in as an admin: imports, campaign changes, exports, training."""

    message = "Only admins may do this."

    def has_permission(self, request, view):
        return user_has_role(request.user, ADMIN)


class IsAnnotatorReadAdminWrite(BasePermission):
    """Annotators read (GET, HEAD, OPTIONS); only admins write (the campaign settings)."""

    message = "Only admins may change campaigns."

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return user_has_role(request.user, ANNOTATOR)
        return user_has_role(request.user, ADMIN)
