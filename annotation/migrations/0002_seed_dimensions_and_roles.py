from django.db import migrations

from annotation.dimensions_seed import DIMENSIONS

REVIEWER_PERMS = ["view_campaign", "view_prompt", "view_video", "view_pair", "view_assignment", "view_judgment",
                  "view_rating", "view_flag", "change_flag", "view_dimension", "view_goldanswer"]


def seed(apps, schema_editor):
    Dimension = apps.get_model("annotation", "Dimension")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for spec in DIMENSIONS:
        Dimension.objects.update_or_create(key=spec["key"], defaults={k: v for k, v in spec.items() if k != "key"})

    # Permissions are created after migrate by a post_migrate signal; make sure they exist now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("annotation")
    app_config.models_module = True  # historical app configs lack it; create_permissions only checks truthiness
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    annotation_types = ContentType.objects.filter(app_label="annotation")
    all_perms = Permission.objects.filter(content_type__in=annotation_types)
    Group.objects.get_or_create(name="annotator")
    reviewer, _ = Group.objects.get_or_create(name="reviewer")
    reviewer.permissions.set(all_perms.filter(codename__in=REVIEWER_PERMS))
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.set(all_perms)


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["annotator", "reviewer", "admin"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
