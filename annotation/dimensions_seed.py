"""The six dimensions of method.md, as seeded into the database (editable afterwards in the admin)."""

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
