"""The recording file: JSON Lines appended one whole line at a time, with a size bound that stops it clearly.

Each line is scrubbed (``Scrubber.line``) and flushed as it is written, so a killed proxy leaves a readable file.
Once the next line would pass ``max_bytes`` nothing more is written, and the proxy stops forwarding (it answers
503 saying why): a recording that silently lost calls would replay wrong.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from mockserver.record.scrub import Scrubber
from mockserver.replay.recording import dumps_line

log = logging.getLogger("creatify_mock.record")


class RecordingFull(Exception):
    """The recording reached its size bound."""


class RecordingWriter:
    """Writes the header at once, then exchanges; ``full`` once the bound is reached."""

    def __init__(self, path: str | Path, max_bytes: int, header: dict[str, Any], scrubber: Scrubber) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self._scrubber = scrubber
        self._lock = threading.Lock()
        self._file = self.path.open("wb")
        self.size = 0
        self.lines = 0
        self.dropped = 0
        self.full = False
        self._write(dumps_line(header))

    def write(self, data: dict[str, Any]) -> bool:
        """Append one exchange; False (and ``full`` set) when it would pass the size bound."""
        return self._write(self._scrubber.line(dumps_line(data)))

    def _write(self, line: bytes) -> bool:
        with self._lock:
            if self.full or self.size + len(line) > self.max_bytes:
                if not self.full:
                    log.error(
                        "recording stopped: %s would pass --max-bytes %d with this exchange; "
                        "it holds %d exchanges and nothing more is forwarded (503)",
                        self.path,
                        self.max_bytes,
                        max(0, self.lines - 1),
                    )
                self.full = True
                self.dropped += 1
                return False
            self._file.write(line)
            self._file.flush()
            self.size += len(line)
            self.lines += 1
            return True

    def close(self) -> None:
        with self._lock:
            self._file.close()
