"""Replay of recordings made by ``creatify-mock record``: matching, recorded timelines, streams. No Flask."""

from mockserver.replay.book import Answer, ReplayBook, Replayed
from mockserver.replay.recording import Chunk, Exchange, Recording, RecordingError, read

__all__ = ["Answer", "Chunk", "Exchange", "Recording", "RecordingError", "ReplayBook", "Replayed", "read"]
