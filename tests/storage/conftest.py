from tests.s3 import S3_KEYS, bucket_keys, moto_endpoint, s3_bucket  # noqa: F401  (shared S3 fixtures)
