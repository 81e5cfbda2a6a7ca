"""Asking a running server instead of loading the model: where ``serve`` listens, and the
suggestions routes.

``mentor-match serve`` writes ``server.json`` into the data folder while it runs (its URL and
process id) and removes it when it stops. ``recommend`` reads it: if that server answers
``GET /health`` within ``HEALTH_TIMEOUT_S`` and a token was given, the suggestions come from
it (``GET /v1/mentees/{id}/suggestions`` or ``POST /v1/suggestions``) and the command does
not spend seconds loading the embedding model. httpx is imported only when a server is asked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from recommender.settings import Settings

SERVER_FILE = "server.json"
"""The note ``serve`` leaves in the data folder while it runs."""
HEALTH_TIMEOUT_S = 0.3
"""How long ``/health`` may take to answer before the server is taken to be absent."""
REQUEST_TIMEOUT_S = 60.0
"""How long a suggestions request may take (the server may be busy)."""


class ServerRefused(Exception):
    """The server answered a suggestions request with an error status.

    Args:
        status: the HTTP status code.
        detail: the server's explanation (its ``detail``, or the body).
    """

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


def server_file(settings: Settings) -> Path:
    """Where ``serve`` notes its URL for this data folder."""
    return settings.data_dir / SERVER_FILE


def client_url(host: str, port: int) -> str:
    """The URL a client on this machine uses for a server bound to ``host``:``port``
    (a wildcard address is reached on the loopback address)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


@contextmanager
def noted_server(settings: Settings, host: str, port: int) -> Iterator[None]:
    """Note in the data folder, for the ``with`` block, that a server for it listens on
    ``host``:``port``. A note left by another live server that still answers is kept; the
    note is removed at the end only if it is still ours. A folder that cannot be written
    gets no note (the server runs all the same)."""
    path = server_file(settings)
    theirs = recorded_server(settings)
    if theirs is not None and answers(theirs):
        yield
        return
    mine = {"url": client_url(host, port), "pid": os.getpid()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(mine) + "\n", encoding="utf-8")
    except OSError:  # a read-only data folder: serve all the same, unnoted
        yield
        return
    try:
        yield
    finally:
        with suppress(OSError, ValueError):
            if json.loads(path.read_text(encoding="utf-8")) == mine:
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return False
    return True


def recorded_server(settings: Settings) -> str | None:
    """The URL ``serve`` noted for this data folder, if its process is still alive."""
    try:
        note = json.loads(server_file(settings).read_text(encoding="utf-8"))
        url, pid = str(note["url"]), int(note["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if _alive(pid) else None


def answers(url: str, timeout: float = HEALTH_TIMEOUT_S) -> bool:
    """True if ``GET url/health`` says ``ok`` within ``timeout`` seconds."""
    import httpx

    try:
        reply = httpx.get(f"{url.rstrip('/')}/health", timeout=timeout)
        return reply.status_code == 200 and reply.json().get("status") == "ok"
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def running_server(settings: Settings, url: str | None = None) -> str | None:
    """``url`` (or else the server noted for this data folder) if it answers now."""
    url = url or recorded_server(settings)
    return url if url and answers(url) else None


def _detail(reply: Any) -> str:
    try:
        detail = reply.json().get("detail", reply.text)
    except (ValueError, AttributeError):
        return str(reply.text or reply.reason_phrase)
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):  # a 422
        first = detail[0]
        where = ".".join(str(part) for part in first.get("loc", []) if part != "body")
        return f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    return str(detail)


def fetch_suggestions(
    url: str,
    token: str,
    k: int,
    *,
    mentee_id: str | None = None,
    mentee: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Suggestions from the server, as its JSON objects (``mentor_id``, ``rank``, ``score``,
    ``components``, ``explanation``, ``mentor_name``, ``specialty``...), best first.

    Args:
        url: the server's base URL.
        token: a bearer token the server accepts.
        k: how many.
        mentee_id: a stored mentee's id (``GET /v1/mentees/{id}/suggestions``), or
        mentee: an inline profile (``POST /v1/suggestions``).

    Raises:
        ServerRefused: the server answered with an error status.
        httpx.HTTPError: the server could not be reached or did not answer in time.
    """
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S) as client:
        if mentee_id is not None:
            path = f"/v1/mentees/{quote(mentee_id, safe='')}/suggestions"
            reply = client.get(path, params={"k": k})
        else:
            reply = client.post("/v1/suggestions", json={"mentee": mentee, "k": k})
    if reply.status_code != 200:
        raise ServerRefused(reply.status_code, _detail(reply))
    data: list[dict[str, Any]] = reply.json()["data"]
    return data
