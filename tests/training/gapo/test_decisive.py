"""training/gapo/decisive: the simulated annotators, pair labelling, method losses and the bootstrap."""

import math

import numpy as np
import pytest
import torch

from training.gapo import decisive as d


@pytest.fixture(scope="module")
def base():
    return d.pretrain_base(steps=150, batch=256)


def test_true_reward_prefers_the_ring_toward_the_direction():
    u = torch.tensor(d.DIRECTION)
    on_good, on_bad, off = d.RADIUS * u, -d.RADIUS * u, 0.2 * u
    r = d.true_reward(torch.stack([on_good, on_bad, off]))
    assert r[0] > 0.85 and r[1] < 0.15 and r[2] < 0.01
    assert ((0 <= r) & (r <= 1)).all()


def test_noisy_annotators_get_small_gaps_wrong_more_often():
    gen = torch.Generator().manual_seed(0)
    x = d.base_data(4000, gen)
    exact = d.annotate(x, 0.0, 3, gen)
    assert torch.allclose(exact, torch.round(100 * d.true_reward(x)) / 100, atol=1e-6)
    noisy = d.annotate(x, 0.3, 3, gen)
    a, b = slice(0, 2000), slice(2000, 4000)
    true_gap = d.true_reward(x[a]) - d.true_reward(x[b])
    wrong = (noisy[a] - noisy[b]) * true_gap < 0
    small = true_gap.abs() < true_gap.abs().median()
    assert wrong[small].float().mean() > 2 * wrong[~small].float().mean() > 0


def test_pairs_are_ordered_and_exact_labels_are_never_wrong(base):
    pairs, (x, s) = d.make_pairs(base, 200, 0.0, seed=0)
    assert (pairs.s_w > pairs.s_l).all() and not pairs.wrong.any()
    assert x.shape == (400, 2) and s.shape == (400,)
    noisy, _ = d.make_pairs(base, 200, 0.4, seed=0)
    assert noisy.wrong.any()


def test_method_losses_at_the_reference_are_ln2_times_their_weights():
    err = torch.tensor([0.3, 0.5])
    s_w, s_l = torch.tensor([0.9, 0.6]), torch.tensor([0.1, 0.5])
    expected = {"Diffusion-DPO": 1.0, "DPO min-gap filter": 1.0,
                "DPO linear gap weight": float((s_w - s_l).mean()),
                "GAPO pow2": float((2**s_w - 2**s_l).mean()), "GAPO pow3": float((3**s_w - 3**s_l).mean())}
    for method, weight in expected.items():
        loss = d.method_loss(method, err, err, err, err, s_w, s_l, beta=10.0)
        assert loss.item() == pytest.approx(math.log(2) * weight, rel=1e-6), method


def test_training_runs_from_the_base_and_the_filter_keeps_the_larger_gaps(base, monkeypatch):
    pairs, _ = d.make_pairs(base, 64, 0.2, seed=1)
    seen, real_loss = [], d.method_loss

    def spy(method, err_w, err_l, ref_err_w, ref_err_l, s_w, s_l, beta):
        seen.append(s_w - s_l)
        return real_loss(method, err_w, err_l, ref_err_w, ref_err_l, s_w, s_l, beta)

    monkeypatch.setattr(d, "method_loss", spy)
    noise = torch.randn(100, 2, generator=torch.Generator().manual_seed(3))
    evaluate = lambda model: d.sample_metrics(model, noise, {"true": d.true_reward})  # noqa: E731
    curve = d.train_method(base, pairs, "DPO min-gap filter", lr=1e-3, steps=4, beta=10.0, seed=0, batch=8,
                           evaluate=evaluate, eval_every=2)
    assert [r["step"] for r in curve] == [0, 2, 4]
    assert curve[0]["true"] == pytest.approx(evaluate(base)["true"])  # step 0 is the base itself
    median = torch.quantile(pairs.s_w - pairs.s_l, 0.5)
    assert all((gap >= median).all() for gap in seen)


def test_bootstrap_interval_brackets_the_mean_and_collapses_for_constant_differences():
    assert d.bootstrap_ci(np.full(10, 0.02)) == pytest.approx((0.02, 0.02))
    diffs = np.random.default_rng(0).normal(0.05, 0.02, 10)
    low, high = d.bootstrap_ci(diffs)
    assert low < diffs.mean() < high and high - low < 0.05
