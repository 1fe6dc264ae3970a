"""One-time sign-in links: an invitation or a password reset. Only the token's sha256 is stored,
so a database leak hands out no working link; a link works once, until it expires."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class LinkPurpose(models.TextChoices):
    INVITE = "invite", "Invitation"
    RESET = "reset", "Password reset"


class SignInLink(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links")
    token_sha256 = models.CharField(max_length=64, unique=True, help_text="sha256 (hex) of the token in the link.")
    purpose = models.CharField(max_length=16, choices=LinkPurpose.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, help_text="When the link was used or replaced; "
                                                                     "a link with a value here never works again.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one open link per person: issuing a new one closes the old one first.
            models.UniqueConstraint(fields=["user"], condition=Q(used_at__isnull=True), name="sign_in_link_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} link for user {self.user_id}"
