"""The service layer: ``MockService``, the one facade the web layer, ``MockServer`` and the CLI call."""

from mockserver.service.facade import MockService

__all__ = ["MockService"]
