"""A small TCP proxy for the sync tests that can fail the way networks do.

Modes (switch any time with :meth:`Proxy.set_mode`): ``pass`` forwards both ways;
``refuse`` closes each new connection at once; ``blackhole`` accepts and reads but never
answers; ``cut`` forwards the request, lets the server answer (its transaction is
committed) and drops the answer. Each accepted connection uses the mode of its start.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter


class Proxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.mode = "pass"
        self.seen: Counter[str] = Counter()
        self.log: list[tuple[float, str]] = []
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def set_mode(self, mode: str) -> None:
        assert mode in ("pass", "refuse", "blackhole", "cut")
        self.mode = mode

    def close(self) -> None:
        self.closing = True
        self.listener.close()

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            mode = self.mode
            self.seen[mode] += 1
            self.log.append((round(time.monotonic(), 1), mode))
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    def _serve(self, client: socket.socket, mode: str) -> None:
        with client:
            if mode == "refuse":
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                return
            if mode == "blackhole":
                client.settimeout(30)
                try:
                    while client.recv(65536):
                        pass
                except OSError:
                    pass
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=30)
            except OSError:
                return
            with upstream:
                threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
                if mode == "cut":
                    try:  # read the whole answer, send none of it
                        while upstream.recv(65536):
                            pass
                    except OSError:
                        pass
                    return
                self._pipe(upstream, client)

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
