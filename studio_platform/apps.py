from django.apps import AppConfig


class StudioPlatformConfig(AppConfig):
    """What annotation, training and people share and is no app's domain: errors, roles,
    permissions, the audit log, the read-only admin and the page helpers. Imports none of them."""

    name = "studio_platform"
    label = "studio_platform"
    verbose_name = "Studio platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from studio_platform import audit

        audit.connect_signals()
