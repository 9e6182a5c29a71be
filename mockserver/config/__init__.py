"""Configuration: ``Settings`` and the parsers of their values. Standard library only, the bottom layer."""

from mockserver.config.settings import Settings
from mockserver.config.sources import load
from mockserver.config.values import SettingsError

__all__ = ["Settings", "SettingsError", "load"]
