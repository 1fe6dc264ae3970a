"""Dense (segment-weighted) denoising error for GAPO, DenseDPO-style (issue #22); pure tensor functions.

Plain GAPO compares one number per video: the denoising error averaged over the whole latent. Annotators can
also say *where* a video goes wrong (temporal spans, docs/segments.md). Dense GAPO keeps the loss
(``gapo_loss``, unchanged) and changes only what goes into it: each video's error becomes a weighted mean over
its latent frames,

    e_t      = lambda_t * mean over (C, H, W) of (target - prediction)^2 at latent frame t
    e        = sum_t w_t * e_t / T                    with mean_t(w_t) = 1
    loser:   w_t  proportional to  1 + beta * m_t      (m_t: fraction of annotators marking latent frame t)
    winner:  w_t  proportional to  1 / (1 + beta * m_t)

so the gradient that pushes the policy away from the loser acts hardest on the loser's marked frames, and
the gradient that pulls it toward the winner acts least on the winner's own marked frames. With no marks
(or beta 0) every ``w_t`` is 1 and ``e`` is the plain mean; the weights are normalised to mean 1 per video
so beta changes where the error counts, not the loss scale (the DPO beta keeps its meaning).

Why the winner's marked frames weigh *less* (not the same as the loser's, not ignored): a span on the
preferred video says "this part of it is bad too"; plain DPO pulls the policy toward all of the winner,
artefacts included. Down-weighting keeps the pull on the winner's good frames; ignoring the winner's spans
would keep pulling toward its artefacts; weighting them up like the loser's would pull *harder* toward
them. DenseDPO (segment-level preferences) makes the same cut: a segment where the winner is bad does not
count as evidence for it. The policy and the reference use the same weights for the same video, so the
reference still cancels within each video.

Frames: spans live on the video's frame grid (docs/segments.md: 0-based, end inclusive). A latent frame
covers ``temporal_ratio`` video frames: CogVideoX's VAE keeps frame 0 alone (latent 0) and packs every
following 4 frames (latent k >= 1 covers video frames 4k-3 .. 4k); the tiny preset's pixel codec
(``pixel_codec``) has ratio 1 (latent frame t is video frame t). An annotator marks latent frame k when
their span touches any video frame it covers.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import torch

COGVIDEOX_TEMPORAL_RATIO = 4  # CogVideoX VAE: (F - 1) / 4 + 1 latent frames
PIXEL_TEMPORAL_RATIO = 1  # the tiny preset's pixel codec: one latent frame per video frame


def latent_frames_for(video_frames: int, temporal_ratio: int) -> int:
    """Latent frames of a ``video_frames``-frame video: ``(F - 1) / r + 1`` (frame 0 alone, then r per latent)."""
    if temporal_ratio < 1:
        raise ValueError(f"temporal_ratio must be >= 1, got {temporal_ratio}")
    if video_frames < 1 or (video_frames - 1) % temporal_ratio:
        raise ValueError(f"a {video_frames}-frame video does not fit temporal ratio {temporal_ratio}: "
                         f"frames must be 1 + a multiple of {temporal_ratio}")
    return (video_frames - 1) // temporal_ratio + 1


def latent_frame_of(video_frame: int, temporal_ratio: int) -> int:
    """The latent frame covering ``video_frame``: 0 for frame 0, ``ceil(f / r)`` after it."""
    return 0 if video_frame <= 0 else (video_frame + temporal_ratio - 1) // temporal_ratio


def span_to_latent(start: int, end: int, *, video_frames: int, temporal_ratio: int) -> tuple[int, int]:
    """A span ``[start, end]`` (video frames, end inclusive) -> the latent frames ``[k0, k1]`` it touches."""
    if not 0 <= start <= end < video_frames:
        raise ValueError(f"span [{start}, {end}] is not inside a {video_frames}-frame video "
                         f"(need 0 <= start <= end < {video_frames})")
    latent_frames_for(video_frames, temporal_ratio)  # validates the grid
    return latent_frame_of(start, temporal_ratio), latent_frame_of(end, temporal_ratio)


def frame_marks(spans_by_annotator: Sequence[Iterable[tuple[int, int]]], *, video_frames: int,
                temporal_ratio: int) -> torch.Tensor:
    """``(T_latent,)`` fraction of annotators marking each latent frame of one video.

    ``spans_by_annotator``: one entry per annotator *who judged the video* (an empty list counts: they saw
    it and marked nothing), each a list of ``(start, end)`` spans on the video frame grid."""
    latent = latent_frames_for(video_frames, temporal_ratio)
    marks = torch.zeros(latent, dtype=torch.float32)
    if not spans_by_annotator:
        return marks
    for spans in spans_by_annotator:
        marked = torch.zeros(latent, dtype=torch.bool)
        for start, end in spans:
            k0, k1 = span_to_latent(start, end, video_frames=video_frames, temporal_ratio=temporal_ratio)
            marked[k0:k1 + 1] = True
        marks += marked.float()
    return marks / len(spans_by_annotator)


def _check_marks(marks: torch.Tensor, beta: float) -> None:
    if marks.dim() != 2:
        raise ValueError(f"marks must have shape (B, T_latent), got {tuple(marks.shape)}")
    if beta < 0:
        raise ValueError(f"dense beta must be >= 0, got {beta}")
    if bool(((marks < 0) | (marks > 1)).any()) or not bool(torch.isfinite(marks).all()):
        raise ValueError("marks are fractions of annotators and must lie in [0, 1]")


def loser_frame_weights(marks: torch.Tensor, beta: float) -> torch.Tensor:
    """``(B, T)`` weights ``1 + beta * m`` normalised to mean 1 per row: marked frames of the loser weigh more."""
    _check_marks(marks, beta)
    raw = 1.0 + beta * marks.float()
    return raw / raw.mean(dim=1, keepdim=True)


def winner_frame_weights(marks: torch.Tensor, beta: float) -> torch.Tensor:
    """``(B, T)`` weights ``1 / (1 + beta * m)`` normalised to mean 1 per row: marked frames of the winner
    weigh less (module docstring: why)."""
    _check_marks(marks, beta)
    raw = 1.0 / (1.0 + beta * marks.float())
    return raw / raw.mean(dim=1, keepdim=True)


def frame_weighted_error(pred: torch.Tensor, target: torch.Tensor, frame_weights: torch.Tensor,
                         weighting: torch.Tensor | None = None) -> torch.Tensor:
    """``(B,)`` error ``lambda_t * mean_t(w_t * mean over (C, H, W) of (target - pred)^2)``, in float32.

    ``pred``/``target``: ``(B, C, T, H, W)``; ``frame_weights``: ``(B, T)`` (mean 1 per row for an unchanged
    scale); ``weighting``: ``lambda_t`` ``(B,)`` or ``None`` for 1 (as ``targets.denoising_error``)."""
    if pred.shape != target.shape:
        raise ValueError(f"prediction {tuple(pred.shape)} and target {tuple(target.shape)} differ in shape")
    if pred.dim() != 5:
        raise ValueError(f"frame weighting needs (B, C, T, H, W) latents, got {tuple(pred.shape)}")
    batch, _, frames = pred.shape[:3]
    if tuple(frame_weights.shape) != (batch, frames):
        raise ValueError(f"frame weights must have shape ({batch}, {frames}) (one per latent frame), "
                         f"got {tuple(frame_weights.shape)}")
    per_frame = (target.float() - pred.float()).pow(2).mean(dim=(1, 3, 4))  # (B, C, T, H, W) -> (B, T)
    err = (frame_weights.to(per_frame.device).float() * per_frame).mean(dim=1)  # (B, T) -> (B,)
    if weighting is not None:
        err = weighting.float().reshape(-1) * err
    return err
