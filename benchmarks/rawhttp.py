"""A minimal asyncio HTTP/1.1 client for the load generator: one keep-alive connection per
simulated annotator, JSON bodies, nothing else.

Why not httpx: the load generator shares the machine's cores with the server it measures, and
httpx spent ~5 ms of CPU per next+submit cycle (a third of the whole budget at 150 cycles/s).
This client writes the request bytes itself and parses only the status line, Content-Length /
chunked framing and `Connection: close`; it costs a few hundred microseconds per request.

A request on a reused connection that the server had already closed (gunicorn's sync workers
close after every response; keep-alive timeouts) is sent again once on a fresh connection when
no byte of a response arrived: the server never read it. Every other failure raises
`TransportError` (connection refused or reset, timeout, malformed response) with the connection
dropped, so the next request reconnects.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import urlsplit


class TransportError(Exception):
    """No (complete) HTTP response: connection refused/reset, timeout, or protocol error."""


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]  # lower-cased names
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self):
        return json.loads(self.content)

    @property
    def is_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/json")


class Connection:
    """One HTTP/1.1 connection to `base_url`, reopened on demand."""

    def __init__(self, base_url: str, *, timeout_s: float = 30.0, headers: dict[str, str] | None = None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout_s = timeout_s
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {parts.netloc}\r\n{extra}Content-Type: application/json\r\nAccept: application/json\r\n"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body, *, timeout_s: float | None = None) -> Response:
        data = json.dumps(body, separators=(",", ":")).encode()
        request = f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(data)}\r\n\r\n".encode() + data
        try:
            return await asyncio.wait_for(self._send(request), timeout_s or self.timeout_s)
        except asyncio.TimeoutError as exc:
            self.close()
            raise TransportError(f"timeout after {timeout_s or self.timeout_s:g}s") from exc

    async def _send(self, request: bytes) -> Response:
        reused = self._writer is not None
        try:
            return await self._exchange(request)
        except _ClosedBeforeResponse:
            self.close()
            if not reused:
                raise TransportError("connection closed before any response") from None
            return await self._exchange(request)  # the server closed an idle connection: it never read ours
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self.close()
            raise TransportError(f"{exc.__class__.__name__}: {exc}") from exc

    async def _exchange(self, request: bytes) -> Response:
        if self._writer is None:
            try:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            except OSError as exc:
                raise TransportError(f"connect: {exc.__class__.__name__}: {exc}") from exc
        reader = self._reader
        try:
            self._writer.write(request)
            await self._writer.drain()
            status_line = await reader.readline()
        except (ConnectionResetError, BrokenPipeError):
            raise _ClosedBeforeResponse from None
        if not status_line:
            raise _ClosedBeforeResponse
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ValueError(f"bad status line {status_line[:80]!r}")
        status = int(parts[1])
        headers = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            content = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            content = await self._read_chunked(reader)
        else:
            content = await reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close" or parts[0] == b"HTTP/1.0":
            self.close()
        return Response(status, headers, content)

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


class _ClosedBeforeResponse(Exception):
    pass
