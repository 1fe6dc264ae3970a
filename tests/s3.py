"""A local S3 for tests (moto's threaded server on 127.0.0.1, no network) and default storage
pointed at a fresh bucket of it, as STORAGE_BACKEND=s3 configures it. conftest files import
the fixtures from here (media pipeline, exports, storage tests)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def moto_endpoint():
    """A local S3 (moto's threaded server on a free port of 127.0.0.1); no network involved."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


S3_KEYS = {"access_key": "studio-test", "secret_key": "studio-test-secret", "region_name": "us-east-1"}


@pytest.fixture
def s3_bucket(moto_endpoint, settings):
    """Default storage pointed at a fresh bucket of the local S3, as STORAGE_BACKEND=s3 configures it.
    Returns a boto3 client and the bucket name."""
    import uuid

    import boto3

    bucket = f"studio-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, aws_access_key_id=S3_KEYS["access_key"],
                          aws_secret_access_key=S3_KEYS["secret_key"], region_name=S3_KEYS["region_name"])
    client.create_bucket(Bucket=bucket)
    # Lets a page on another origin read the bytes (a <video crossorigin> drawn to a canvas).
    client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"], "AllowedHeaders": ["*"],
         "ExposeHeaders": ["Content-Range", "Content-Length", "Accept-Ranges"]}]})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": bucket, "endpoint_url": moto_endpoint, "addressing_style": "path",
            "signature_version": "s3v4", "querystring_auth": True, "querystring_expire": 600,
            "file_overwrite": True, "default_acl": None, **S3_KEYS,
        }},
    }
    return client, bucket


def bucket_keys(client, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))
