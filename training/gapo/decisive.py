"""A decisive GAPO vs Diffusion-DPO comparison on a 2-D diffusion problem with a known true reward (minutes on CPU).

    .venv/bin/python benchmarks/gapo_decisive.py                 # grid + 10 test seeds, 3 noise levels

The same comparison at video-toy scale: ``decisive_video.py`` (methods, annotators and filter from here; tables
from ``decisive_report.py``).

The paper's premise: human preference *strength* is informative when labels are noisy, because people get the
small gaps wrong. The earlier reproduction could not test it (its pairs were labelled, and its samples scored,
by one deterministic reward). Here:

* **World**: 2-D points; the base distribution is 8 Gaussian modes on a ring of radius 1.5 (sd 0.15). The true
  quality ``r_true(x) = (0.5 + 0.5 tanh(x.u / 0.75)) * exp(-(|x| - 1.5)^2 / (2 * 0.3^2))`` prefers the modes
  toward ``u`` (30 degrees) and penalises points off the ring (the analogue of artifacts).
* **Base model**: a 3-layer MLP denoiser, v-prediction on CogVideoX's own schedule, pretrained on the ring and
  sampled with the project's DDIM sampler (``sampling.sample``), trained with the project's ``NoiseProcess``,
  ``denoising_error`` and losses (``gapo_loss``, whose ``linear`` weight is ``s_w - s_l``).
* **Labels**: pairs of base samples, each point rated 0-100 by 3 simulated annotators,
  ``100 * clip(r_true + N(0, sigma), 0, 1)``, scores = mean rating / 100, winner = higher score. Thurstone noise
  is strength-dependent the way people are: the smaller the true gap, the likelier the order is wrong.
* **Methods**: Diffusion-DPO (all pairs, weight 1), DPO with a minimum-gap filter (drops the half of the pairs
  with the smallest observed gap), DPO weighted linearly by the observed gap, GAPO pow2 and pow3.
* **Tuning**: each method's learning rate from its own grid, picked on *validation* seeds by a *validation
  reward*: a ridge reward model (random Fourier features) fitted to the annotators' noisy ratings of the
  base samples, the only reward a practitioner has. **Test**: other seeds, the true reward of fresh samples
  from one fixed noise (independent of the labels and of the tuning reward, so reward hacking shows).
  Also reported: the fraction of samples off the ring and the entropy of mode occupancy (the 2-D analogue
  of "learned to stand still": a policy that collapses onto one mode or leaves the data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .denoiser import Condition
from .losses import gapo_loss
from .models import default_alphas_cumprod
from .sampling import sample
from .targets import NoiseProcess, denoising_error

RADIUS, MODE_SD, MODES = 1.5, 0.15, 8
DIRECTION = (math.cos(math.pi / 6), math.sin(math.pi / 6))
RING_WIDTH = 0.3
# name -> (gap weight for gapo_loss, drop the pairs whose observed gap is below this quantile)
METHODS = {
    "Diffusion-DPO": ("none", 0.0),
    "DPO min-gap filter": ("none", 0.5),
    "DPO linear gap weight": ("linear", 0.0),
    "GAPO pow2": ("pow2", 0.0),
    "GAPO pow3": ("pow3", 0.0),
}


def true_reward(x: torch.Tensor) -> torch.Tensor:
    """``(N, 2) -> (N,)`` in [0, 1]: direction preference times closeness to the ring."""
    along = x @ torch.tensor(DIRECTION, dtype=x.dtype)
    ring = torch.exp(-((x.norm(dim=1) - RADIUS) ** 2) / (2 * RING_WIDTH**2))
    return (0.5 + 0.5 * torch.tanh(along / 0.75)) * ring


def base_data(n: int, gen: torch.Generator) -> torch.Tensor:
    mode = torch.randint(0, MODES, (n,), generator=gen).double()
    angle = 2 * math.pi * mode / MODES
    centre = torch.stack([angle.cos(), angle.sin()], 1) * RADIUS
    return (centre + MODE_SD * torch.randn(n, 2, generator=gen, dtype=torch.float64)).float()


def mode_entropy(x: torch.Tensor) -> float:
    """Entropy (bits) of the nearest-mode histogram; log2(8) = 3 for the base's even mix."""
    angle = torch.atan2(x[:, 1], x[:, 0])
    mode = torch.round(angle / (2 * math.pi / MODES)).long() % MODES
    p = torch.bincount(mode, minlength=MODES).double() / len(x)
    p = p[p > 0]
    return float(-(p * p.log2()).sum())


def off_ring(x: torch.Tensor) -> float:
    return float(((x.norm(dim=1) - RADIUS).abs() > 2 * RING_WIDTH).double().mean())


class MLPDenoiser(torch.nn.Module):
    """v-prediction for 2-D points: ``(x_t (N, 2), timestep (N,)) -> (N, 2)``."""

    def __init__(self, hidden: int = 128, freqs: int = 16):
        super().__init__()
        self.register_buffer("freqs", torch.exp(torch.linspace(0, math.log(1000), freqs)) / 1000)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2 + 2 * freqs, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor, timestep: torch.Tensor) -> torch.Tensor:
        phase = timestep.float()[:, None] * self.freqs[None]  # (N,) -> (N, F)
        return self.net(torch.cat([x, phase.sin(), phase.cos()], dim=1))


class PointDenoiser:
    """The ``Denoiser`` call signature over ``MLPDenoiser`` so ``sampling.sample`` drives it."""

    def __init__(self, model: MLPDenoiser):
        self.model = model

    def __call__(self, noisy: torch.Tensor, timestep: torch.Tensor, cond: Condition | None = None) -> torch.Tensor:
        return self.model(noisy, timestep)


def noise_process() -> NoiseProcess:
    return NoiseProcess("v", default_alphas_cumprod("cogvideox"))


def pretrain_base(steps: int = 3000, batch: int = 512, lr: float = 2e-3, seed: int = 0) -> MLPDenoiser:
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model, noise = MLPDenoiser(), noise_process()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for _ in range(steps):
        x0 = base_data(batch, gen)
        t = noise.sample_t(batch, gen, torch.device("cpu"))
        b = noise.prepare(x0, torch.randn(x0.shape, generator=gen), t)
        loss = denoising_error(model(b.noisy, b.timestep), b.target, b.weighting).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return model.eval()


def _dummy_condition(n: int) -> Condition:
    return Condition(torch.zeros(n, 1, 1), torch.zeros(n, 1, 1, 1, 1))


@torch.no_grad()
def generate(model: MLPDenoiser, noise_init: torch.Tensor, steps: int = 20) -> torch.Tensor:
    return sample(PointDenoiser(model), noise_process(), _dummy_condition(len(noise_init)), noise_init, steps=steps)


def rate(truth: torch.Tensor, sigma: float, raters: int, gen: torch.Generator) -> torch.Tensor:
    """Simulated annotators: each of ``raters`` rates every item 0-100 as ``100 * clip(truth + N(0, sigma), 0, 1)``;
    returns the mean rating / 100, ``(N,)`` in [0, 1]. ``truth``: ``(N,)`` true rewards in [0, 1]."""
    truth = truth.double()
    noisy = truth[:, None] + sigma * torch.randn(len(truth), raters, generator=gen, dtype=torch.float64)
    return (torch.round(100 * noisy.clamp(0, 1)) / 100).mean(1).float()


def annotate(x: torch.Tensor, sigma: float, raters: int, gen: torch.Generator) -> torch.Tensor:
    """Mean 0-100 rating of ``raters`` noisy annotators of the points ``x``, divided by 100: ``(N,)`` in [0, 1]."""
    return rate(true_reward(x), sigma, raters, gen)


@dataclass
class Pairs:
    x_w: torch.Tensor  # (P, 2)
    x_l: torch.Tensor
    s_w: torch.Tensor  # (P,) observed scores, s_w > s_l
    s_l: torch.Tensor
    wrong: torch.Tensor  # (P,) bool: the true reward prefers the loser

    def subset(self, keep: torch.Tensor) -> "Pairs":
        return Pairs(self.x_w[keep], self.x_l[keep], self.s_w[keep], self.s_l[keep], self.wrong[keep])


def make_pairs(base: MLPDenoiser, count: int, sigma: float, seed: int, raters: int = 3) -> tuple[Pairs, tuple]:
    """``count`` labelled pairs of base samples (ties dropped) and the rated points ``(x, s)`` for the RM."""
    gen = torch.Generator().manual_seed(1_000 + seed)
    x = generate(base, torch.randn(2 * count, 2, generator=gen))
    s = annotate(x, sigma, raters, gen)
    a, b = x[:count], x[count:]
    s_a, s_b = s[:count], s[count:]
    keep = s_a != s_b
    a_wins = (s_a > s_b)[keep]
    a, b, s_a, s_b = a[keep], b[keep], s_a[keep], s_b[keep]
    pick = a_wins[:, None]
    x_w, x_l = torch.where(pick, a, b), torch.where(pick, b, a)
    s_w, s_l = torch.maximum(s_a, s_b), torch.minimum(s_a, s_b)
    wrong = true_reward(x_w) < true_reward(x_l)
    return Pairs(x_w, x_l, s_w, s_l, wrong), (x, s)


class RidgeReward:
    """A reward model fitted to noisy ratings: ridge regression on random Fourier features of the point."""

    def __init__(self, x: torch.Tensor, s: torch.Tensor, features: int = 256, scale: float = 2.0,
                 ridge: float = 1e-2, seed: int = 0):
        gen = torch.Generator().manual_seed(seed)
        self.w = scale * torch.randn(2, features, generator=gen, dtype=torch.float64)
        self.b = 2 * math.pi * torch.rand(features, generator=gen, dtype=torch.float64)
        phi = self._phi(x)
        self.coef = torch.linalg.solve(phi.T @ phi + ridge * len(x) * torch.eye(features, dtype=torch.float64),
                                       phi.T @ s.double())

    def _phi(self, x: torch.Tensor) -> torch.Tensor:
        return math.sqrt(2.0 / self.w.shape[1]) * torch.cos(x.double() @ self.w + self.b)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (self._phi(x) @ self.coef).float()


def method_loss(method: str, err_w, err_l, ref_err_w, ref_err_l, s_w, s_l, beta: float) -> torch.Tensor:
    return gapo_loss(err_w, err_l, ref_err_w, ref_err_l, s_w, s_l, beta=beta, weight=METHODS[method][0])[0]


def gap_filter(s_w: torch.Tensor, s_l: torch.Tensor, method: str) -> torch.Tensor:
    """``(P,)`` bool: the pairs ``method`` trains on (a min-gap filter drops the pairs whose observed gap is below
    its quantile; every other method keeps all)."""
    quantile, gap = METHODS[method][1], s_w - s_l
    if quantile <= 0:
        return torch.ones_like(gap, dtype=torch.bool)
    return gap >= torch.quantile(gap, quantile)


def train_method(base: MLPDenoiser, pairs: Pairs, method: str, *, lr: float, steps: int, beta: float, seed: int,
                 batch: int, evaluate, eval_every: int) -> list[dict]:
    """Fine-tune a copy of ``base`` (the frozen reference) on ``pairs``; ``evaluate(model)`` every ``eval_every``
    steps (and at step 0) returns a metrics dict. Same seed -> same data order, noise and timesteps for every
    method (the min-gap filter sees the same stream over its remaining pairs)."""
    pairs = pairs.subset(gap_filter(pairs.s_w, pairs.s_l, method))
    policy, reference = MLPDenoiser(), base
    policy.load_state_dict(base.state_dict())
    policy.train()
    noise = noise_process()
    opt = torch.optim.AdamW(policy.parameters(), lr=lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(seed)
    curve = [{"step": 0, **evaluate(policy)}]
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(pairs.s_w), (batch,), generator=gen)
        x0 = torch.cat([pairs.x_w[idx], pairs.x_l[idx]])  # (B, 2), (B, 2) -> (2B, 2), winner first
        eps = torch.randn(batch, 2, generator=gen).repeat(2, 1)  # shared noise within a pair
        t = noise.sample_t(batch, gen, torch.device("cpu")).repeat(2)
        b = noise.prepare(x0, eps, t)
        with torch.no_grad():
            ref_err = denoising_error(reference(b.noisy, b.timestep), b.target, b.weighting)
        err = denoising_error(policy(b.noisy, b.timestep), b.target, b.weighting)
        loss = method_loss(method, *err.chunk(2), *ref_err.chunk(2), pairs.s_w[idx], pairs.s_l[idx], beta)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % eval_every == 0:
            curve.append({"step": step, **evaluate(policy)})
    return curve


def sample_metrics(model: MLPDenoiser, noise_init: torch.Tensor, rewards: dict) -> dict:
    policy_was_training = model.training
    model.eval()
    x = generate(model, noise_init)
    model.train(policy_was_training)
    out = {name: float(fn(x).mean()) for name, fn in rewards.items()}
    out.update(off_ring=off_ring(x), mode_entropy=mode_entropy(x))
    return out


def bootstrap_ci(diffs: np.ndarray, n: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean of ``diffs`` (one paired difference per seed)."""
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, len(diffs), (n, len(diffs)))].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
