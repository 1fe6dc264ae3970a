import pytest


@pytest.fixture(autouse=True)
def local_cache(settings):
    """Report caches per test process: the shared Redis may hold keys from another test database."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "quality-db-tests"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def quick_leaderboard(monkeypatch):
    """Background report refreshes bootstrap 20 times instead of 200: same code, tenth of the time."""
    monkeypatch.setattr("annotation.services.quality.DEFAULT_LEADERBOARD_BOOT", 20)


@pytest.fixture
def make_raters(db):
    """n annotators (users) paired with simulated annotators of the given noise."""
    from demo import SimulatedAnnotator
    from tests.factories import UserFactory

    def make(n: int, *, noise: float, seed: int = 0, bad: int = 0, prefix: str = "rater"):
        raters = []
        for i in range(n):
            user = UserFactory(username=f"{prefix}-{noise}-{seed}-{i}", roles=["annotator"])
            raters.append((user, SimulatedAnnotator(noise=noise, seed=seed * 100 + i, bad=i >= n - bad)))
        return raters

    return make
