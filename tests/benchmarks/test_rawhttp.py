"""The load generator's HTTP client (benchmarks/rawhttp.py) against a tiny asyncio server: keep-alive,
servers that close after every response (gunicorn's sync workers), chunked bodies, refused
connections and timeouts."""
import asyncio
import json

import pytest

from benchmarks.rawhttp import Connection, TransportError


async def _serve(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def _read_request(reader) -> dict:
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(await reader.readexactly(length))


def _reply(body: dict, *, close: bool = False, chunked: bool = False) -> bytes:
    data = json.dumps(body).encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    if close:
        head += b"Connection: close\r\n"
    if chunked:
        half = len(data) // 2
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (data[:half], data[half:])) + b"0\r\n\r\n"
        return head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks
    return head + b"Content-Length: %d\r\n\r\n" % len(data) + data


@pytest.mark.parametrize("mode", ["keep-alive", "close", "chunked"])
def test_it_answers_every_request_whatever_the_server_does_with_the_connection(mode):
    connections = []

    async def handler(reader, writer):
        connections.append(writer)
        while True:
            try:
                body = await _read_request(reader)
            except (asyncio.IncompleteReadError, json.JSONDecodeError):
                break
            writer.write(_reply({"echo": body["n"]}, close=mode == "close", chunked=mode == "chunked"))
            await writer.drain()
            if mode == "close":
                break
        writer.close()

    async def main():
        server, url = await _serve(handler)
        async with server:
            http = Connection(url, timeout_s=5)
            answers = [(await http.post("/x", {"n": i})).json()["echo"] for i in range(3)]
            http.close()
        return answers

    assert asyncio.run(main()) == [0, 1, 2]
    assert len(connections) == (3 if mode == "close" else 1)


def test_a_request_on_a_connection_the_server_closed_while_idle_is_sent_again():
    async def handler(reader, writer):
        body = await _read_request(reader)
        writer.write(_reply({"echo": body["n"]}))  # keep-alive promised, then closed anyway
        await writer.drain()
        writer.close()

    async def main():
        server, url = await _serve(handler)
        async with server:
            http = Connection(url, timeout_s=5)
            first = (await http.post("/x", {"n": 1})).json()
            await asyncio.sleep(0.05)
            second = (await http.post("/x", {"n": 2})).json()
        return first, second

    assert asyncio.run(main()) == ({"echo": 1}, {"echo": 2})


def test_refused_connections_and_timeouts_are_transport_errors():
    async def silent(reader, writer):
        await asyncio.sleep(5)

    async def main():
        server, url = await _serve(silent)
        async with server:
            with pytest.raises(TransportError, match="timeout"):
                await Connection(url).post("/x", {}, timeout_s=0.1)
        with pytest.raises(TransportError):
            await Connection(url).post("/x", {})  # the server is gone: refused

    asyncio.run(main())
