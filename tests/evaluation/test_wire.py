"""The load generator's lean HTTP client against a raw socket server on 127.0.0.1 that answers
in the ways a real server may: a length, chunks, ``Connection: close``, too slowly, or not
HTTP at all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from evaluation.wire import Answer, WireClient, WireError

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


def _exchange(handler: Handler, calls: int = 1, timeout_s: float = 2.0) -> list[Answer | str]:
    """Start ``handler`` as a server, send ``calls`` requests on one client, return each
    answer (or the error kind)."""

    async def run() -> list[Answer | str]:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = WireClient(f"http://127.0.0.1:{port}", {"Authorization": "Bearer t"}, timeout_s)
        out: list[Answer | str] = []
        try:
            for _ in range(calls):
                try:
                    out.append(await client.post_json("/v1/x", b'{"a": 1}'))
                except WireError as exc:
                    out.append(exc.kind)
        finally:
            client.close()
            server.close()
        return out

    return asyncio.run(run())


def test_keep_alive_chunked_answers_are_read_whole_and_the_connection_is_reused() -> None:
    connections = []

    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        while True:
            try:
                request = await _read_request(reader)
            except asyncio.IncompleteReadError:
                break
            assert request.startswith(b"POST /v1/x HTTP/1.1\r\n")
            assert b"Authorization: Bearer t\r\n" in request and request.endswith(b'{"a": 1}')
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b'5\r\n{"a":\r\n4;ext=1\r\n [1]\r\n1\r\n}\r\n0\r\n\r\n'
            )
            await writer.drain()
        writer.close()

    answers = _exchange(chunked, calls=3)
    assert answers == [Answer(200, b'{"a": [1]}')] * 3
    assert len(connections) == 1


def test_connection_close_and_a_body_to_the_end_open_a_new_connection() -> None:
    connections = []

    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await _read_request(reader)
        if len(connections) == 1:
            writer.write(b"HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno")
        else:
            writer.write(b"HTTP/1.0 200 OK\r\n\r\nuntil the end")
        await writer.drain()
        writer.close()

    assert _exchange(closing, calls=2) == [Answer(503, b"no"), Answer(200, b"until the end")]
    assert len(connections) == 2


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (b"SMTP ready\r\n\r\n", "RemoteProtocolError"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "RemoteProtocolError"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "RemoteProtocolError"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "RemoteProtocolError"),
        (None, "ReadTimeout"),
    ],
    ids=["not-http", "cut-short", "bad-length", "bad-chunk", "silent"],
)
def test_broken_answers_are_named_as_httpx_names_them(reply: bytes | None, kind: str) -> None:
    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        if reply is None:
            await asyncio.sleep(1.0)
        else:
            writer.write(reply)
            await writer.drain()
        writer.close()

    assert _exchange(broken, timeout_s=0.3) == [kind]


def test_nothing_listening_is_a_connect_error() -> None:
    async def run() -> str:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        try:
            await WireClient(f"http://127.0.0.1:{port}", {}, 1.0).post_json("/", b"{}")
        except WireError as exc:
            return exc.kind
        return "answered"

    assert asyncio.run(run()) == "ConnectError"


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="not an http"):
        WireClient("ftp://127.0.0.1", {}, 1.0)
