"""A local webhook receiver (Slack-compatible endpoint) that records every POST it gets."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "T0123/B0456/s3cr3tT0k3n"


@dataclass
class Receiver:
    """The receiver's URL (with a secret path, like Slack's) and what it received."""

    url: str
    messages: list[dict] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    status: int = 200


@contextmanager
def receiving() -> Iterator[Receiver]:
    """Serve on 127.0.0.1 (a free port) until the block ends; answers ``status``."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.paths.append(self.path)
            state.messages.append(json.loads(body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/services/{SECRET}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
