import pytest

from demo import GeneratorProfile, demo_prompts


@pytest.fixture(scope="session")
def prompts():
    return demo_prompts(12, seed=0)


@pytest.fixture(scope="session")
def prompt_for(prompts):
    """The first prompt with the given action."""
    def pick(action):
        return next(p for p in prompts if p.action == action)
    return pick


@pytest.fixture
def clean():
    return GeneratorProfile("clean")
