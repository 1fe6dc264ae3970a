import os
import uuid

# Tiny models spike 10-40x with two threads on a busy 2-core machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _no_media_tasks_to_the_shared_broker(settings):
    """Imports and uploads queue media.process_video on commit; in tests nothing consumes the real
    `media` queue, so tests that want processing call the service (or set this back to True)."""
    settings.MEDIA_PROCESS_ON_IMPORT = False


# Redis outlives a test run while database ids restart with each new test database: a per-run
# key prefix keeps one run's cached quality reports from being served to the next.
_CACHE_PREFIX = f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    default = {**settings.CACHES["default"], "KEY_PREFIX": _CACHE_PREFIX}
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture(autouse=True)
def _default_language():
    """A request with a ja/zh cookie leaves its language active in the thread (LocaleMiddleware
    activates, nothing deactivates); the server's lazy messages would then follow into later tests."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Actors are created per test; PBKDF2 would spend most of the suite's time on their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def datasets_root(tmp_path, settings):
    settings.DATASETS_ROOT = tmp_path / "datasets"
    return settings.DATASETS_ROOT


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def import_root(tmp_path, settings, media_root):
    """A folder the importer may read (settings.IMPORT_ROOTS), media stored under a fresh MEDIA_ROOT."""
    root = tmp_path / "imports"
    root.mkdir()
    settings.IMPORT_ROOTS = [root.resolve()]
    return root


def _user(username, roles):
    from tests.factories import UserFactory

    return UserFactory(username=username, roles=roles)


@pytest.fixture
def alice(db):
    """An annotator."""
    return _user("alice", ["annotator"])


@pytest.fixture
def bob(db):
    """A second annotator."""
    return _user("bob", ["annotator"])


@pytest.fixture
def rita(db):
    """A reviewer."""
    return _user("rita", ["reviewer"])


@pytest.fixture
def carol(db):
    """An admin."""
    return _user("carol", ["admin"])


@pytest.fixture
def mallory(db):
    """Signed in, but holds no role."""
    return _user("mallory", [])


@pytest.fixture
def client_for():
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def new_key():
    return lambda: uuid.uuid4().hex


def pytest_collection_modifyitems(items):
    """Transactional tests flush the database afterwards, which would wipe the rows that data
    migrations seed (dimensions, role groups, the beat schedule) for every later test. Make each
    of them restore the serialized database instead."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: use @pytest.mark.django_db(transaction=True, serialized_rollback=True) "
                "so the seeded dimensions and role groups survive for the tests after it"
            )
