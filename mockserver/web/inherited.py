"""A listening socket handed down by ``serve --workers N``: every worker accepts on the one port its supervisor
bound, whichever HTTP server runs inside it. A server bound on its own when there is none."""

from __future__ import annotations

import os
import socket

#: The environment variable that carries the inherited socket's file descriptor to a worker.
LISTEN_FD = "MOCKSERVER_LISTEN_FD"  # not CREATIFY_MOCK_*: those are settings


def inherited_socket() -> socket.socket | None:
    """The supervisor's listening socket, when this process is one of its workers."""
    fd = os.environ.get(LISTEN_FD)
    if not fd:
        return None
    sock = socket.socket(fileno=int(fd))
    return sock
