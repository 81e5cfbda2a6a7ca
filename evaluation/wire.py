"""A lean keep-alive HTTP/1.1 client for the load generator's timed loop.

On a machine whose cores the service under test also needs, the load generator must cost
little per request, or it measures itself: ``httpx.AsyncClient`` spends about 7 ms of CPU
per suggestion request here (a third of a core at 50 requests/s), which capped a load test
near 110 requests/s whatever the service could do. This client writes a request as one
buffer and reads the answer by ``Content-Length`` (or chunked encoding) from an asyncio
stream: a fraction of a millisecond per request. It speaks only what the timed loop needs:
``POST`` of a JSON body on one persistent connection per client, reconnecting after an error
or a ``Connection: close``. Errors are named as httpx names them (``ConnectError``,
``ReadTimeout``, ``RemoteProtocolError``), so reports read the same with either client.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024
"""Longest status line and headers accepted."""


class WireError(Exception):
    """A transport failure; ``kind`` is the httpx-style name reports count it under."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    """A response: status code and body bytes."""

    status: int
    body: bytes


class WireClient:
    """One connection to ``base_url`` (``http`` or ``https``), opened on first use.

    Args:
        base_url: e.g. ``http://127.0.0.1:8000``.
        headers: sent with every request (e.g. ``Authorization``).
        timeout_s: a request that takes longer (connecting included) fails with
            ``ConnectTimeout`` or ``ReadTimeout``.
    """

    def __init__(self, base_url: str, headers: dict[str, str], timeout_s: float) -> None:
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.host = url.hostname
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if url.scheme == "https" else None
        self.timeout_s = timeout_s
        default_port = (url.scheme == "http" and self.port == 80) or self.port == 443
        authority = self.host if default_port else f"{self.host}:{self.port}"
        lines = [f"Host: {authority}", "Connection: keep-alive", "Accept: application/json"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._fixed = "\r\n".join(lines).encode("latin-1")
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, body: bytes) -> Answer:
        """``POST path`` with a JSON ``body``; the answer, or ``WireError``."""
        head = (
            f"POST {path} HTTP/1.1\r\n".encode("latin-1")
            + self._fixed
            + f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode(
                "latin-1"
            )
        )
        try:
            return await asyncio.wait_for(self._exchange(head + body), self.timeout_s)
        except TimeoutError:
            connected = self._writer is not None
            self.close()
            raise WireError("ReadTimeout" if connected else "ConnectTimeout") from None
        except WireError:
            self.close()
            raise
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            connected = self._writer is not None
            self.close()
            kind = "ReadError" if connected else "ConnectError"
            if isinstance(exc, asyncio.IncompleteReadError):
                kind = "RemoteProtocolError"  # the server closed mid-answer
            raise WireError(kind, str(exc)) from None

    async def _exchange(self, request: bytes) -> Answer:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, ssl=self.ssl, limit=MAX_HEAD
            )
        assert self._reader is not None
        self._writer.write(request)
        await self._writer.drain()
        head = await self._reader.readuntil(b"\r\n\r\n")
        status, headers = _parse_head(head)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        elif "content-length" in headers:
            length = headers["content-length"]
            if not length.isdigit():
                raise WireError("RemoteProtocolError", f"bad Content-Length {length!r}")
            body = await self._reader.readexactly(int(length))
        else:  # the body runs to the end of the connection
            body = await self._reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, body)

    async def _chunked(self) -> bytes:
        assert self._reader is not None
        parts: list[bytes] = []
        while True:
            line = await self._reader.readuntil(b"\r\n")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise WireError("RemoteProtocolError", f"bad chunk size {size_text!r}") from None
            if size == 0:
                while await self._reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                    pass
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """Status code and lower-cased headers of a response head."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise WireError("RemoteProtocolError", f"bad status line {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers
