"""Container HEALTHCHECK: GET /healthz on the local gunicorn with a Host header Django accepts.

Exit 0 only for HTTP 200 (database, broker and media storage reachable). The Host comes from the
first DJANGO_ALLOWED_HOSTS entry ('.example.com' -> 'example.com', '*' -> 'localhost'), so the
check works with production ALLOWED_HOSTS without adding 127.0.0.1 to them.
"""
import http.client
import os
import sys

hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
host = (hosts[0] if hosts else "localhost").lstrip(".")
if host == "*" or not host:
    host = "localhost"
port = int(os.environ.get("HEALTHCHECK_PORT", "8000"))
try:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    body = response.read(500).decode("utf-8", "replace")
except OSError as exc:
    print(f"healthz unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
if response.status != 200:
    print(f"healthz {response.status}: {body}", file=sys.stderr)
    sys.exit(1)
