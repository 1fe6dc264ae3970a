"""Deterministic anime-style demo clips with known ground truth, and a simulated annotator.

Pure Python (numpy, OpenCV, Pillow; files through media_io): no Django, so load tests and training import it freely.
"""
from .annotator import SimulatedAnnotator
from .catalog import (ACTIONS, ARTEFACTS, DIMENSIONS, GENERATORS, CharacterLook, DemoPrompt, GeneratorProfile,
                      demo_prompts, generator_by_name, look_for)
from .dataset import DemoRow, build_demo_dataset, read_demo_dataset
from .render import (ARTEFACT_FRAME_THRESHOLD, FRAME_DIMENSIONS, expected_truth, frame_severities, ground_truth,
                     render_clip, render_initial_image, video_severities)

__all__ = [
    "ARTEFACT_FRAME_THRESHOLD", "FRAME_DIMENSIONS", "frame_severities",
    "ACTIONS", "ARTEFACTS", "DIMENSIONS", "GENERATORS", "CharacterLook", "DemoPrompt", "DemoRow",
    "GeneratorProfile", "SimulatedAnnotator", "build_demo_dataset", "demo_prompts", "expected_truth",
    "generator_by_name", "ground_truth", "look_for", "read_demo_dataset", "render_clip",
    "render_initial_image", "video_severities",
]
