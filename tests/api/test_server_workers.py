"""Several workers on one port: a listening socket per worker, connections re-spread.

Real sockets on 127.0.0.1 and a real ASGI app; nothing is mocked.
"""

from __future__ import annotations

import pickle
import select
import socket
from multiprocessing.reduction import ForkingPickler

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.keepalive import KeepAliveLimit
from api.server import PortPerWorker


def test_each_worker_listens_on_a_socket_of_its_own_and_connections_spread() -> None:
    """What uvicorn hands each worker (pickled as multiprocessing's spawn pickles it) is a
    new listening socket on the held port; the kernel spreads 40 connections over two."""
    held = PortPerWorker("127.0.0.1", 0, 64)
    workers = [pickle.loads(ForkingPickler.dumps(held)) for _ in range(2)]
    clients = []
    try:
        assert {w.getsockname() for w in workers} == {held.getsockname()}
        assert all(w.fileno() != held.fileno() for w in workers)
        accepted = [0, 0]
        for _ in range(40):
            clients.append(socket.create_connection(held.getsockname(), timeout=5))
            ready, _, _ = select.select(workers, [], [], 5)
            assert ready, "no worker socket took the connection"
            conn, _ = ready[0].accept()
            conn.close()
            accepted[workers.index(ready[0])] += 1
        assert sum(accepted) == 40 and min(accepted) >= 5, accepted
    finally:
        for sock in [*clients, *workers, held]:
            sock.close()


def test_every_limit_th_request_of_a_connection_is_answered_with_connection_close() -> None:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    with TestClient(KeepAliveLimit(app, limit=3)) as client:  # one client address
        closes = [client.get("/ping").headers.get("connection") for _ in range(7)]
    assert closes == [None, None, "close", None, None, "close", None]
    with TestClient(KeepAliveLimit(app, limit=0)) as client:
        assert all(client.get("/ping").headers.get("connection") is None for _ in range(5))
