"""Request validation: bodies checked against ``schemas/`` with Django REST Framework's exact error bodies."""

from mockserver.validation.drf import RequestValidator

__all__ = ["RequestValidator"]
