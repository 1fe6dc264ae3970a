from django.db import migrations

# A frozen copy of the six dimensions as first seeded: a migration must not import code that can change
# (their one definition is dimensions.py; tests/test_dimensions.py checks that the seeded rows equal it).
DIMENSIONS = [
    {
        "key": "smoothness", "group": "appearance", "name": "Visual smoothness", "order": 1,
        "definition": "No flicker, jitter, warping, melting limbs or frame-to-frame distortion.",
        "guideline": (
            "Watch both clips at normal speed, then frame by frame where something looks off.\n"
            "Worse: brightness pulsing between frames (flicker); the picture or a character shaking in place "
            "(jitter); shapes bending, limbs melting or lines wobbling (warping).\n"
            "Better: motion is continuous and every frame looks like the one before it, just moved.\n"
            "Do not judge how much things move here; that is Visual motion."
        ),
    },
    {
        "key": "motion", "group": "appearance", "name": "Visual motion", "order": 2,
        "definition": "The main subject really moves, with a natural, readable amount of motion.",
        "guideline": (
            "Better: the character clearly performs a movement that is easy to follow.\n"
            "Worse: a frozen or nearly still clip (a slideshow of one picture), or chaotic motion you cannot read.\n"
            "Camera shake alone is not motion of the subject."
        ),
    },
    {
        "key": "appeal", "group": "appearance", "name": "Visual appeal", "order": 3,
        "definition": "Clarity, resolution, brightness, colour and line art: how good a frame looks.",
        "guideline": (
            "Pause on a few frames. Better: crisp outlines, clean flat colours, good exposure.\n"
            "Worse: blur, noise or grain, muddy or washed-out colours, broken line art."
        ),
    },
    {
        "key": "text_video", "group": "consistency", "name": "Text-video consistency", "order": 4,
        "definition": "The video shows what the prompt says: action, subject and setting.",
        "guideline": (
            "Read the prompt first. Better: the character does the action named in the prompt, in the described "
            "setting. Worse: a different action (waving instead of jumping), or no action at all."
        ),
    },
    {
        "key": "image_video", "group": "consistency", "name": "Image-video consistency", "order": 5,
        "definition": "The video stays faithful to the initial image: style, layout and colours.",
        "guideline": (
            "Compare each clip with the initial image shown above the players. Worse: colours drift away over "
            "time, the layout or art style changes, the background is replaced."
        ),
    },
    {
        "key": "character", "group": "consistency", "name": "Character consistency", "order": 6,
        "definition": "Each character keeps the same identity: face, hair, outfit and proportions.",
        "guideline": (
            "Follow each character through the clip. Worse: hair or outfit colours change, the face or body "
            "proportions change, one character turns into another."
        ),
    },
]

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
