"""The service layer: ``MockService``, the one facade the web layer, ``MockServer`` and the CLI call.

It also names the errors its callers handle: ``JobConflict`` (a terminal job cannot move) and ``ScenarioError``
(a rule the mock cannot use).
"""

from mockserver.core.scenarios import ScenarioError
from mockserver.core.store import Conflict as JobConflict
from mockserver.service.facade import MockService

__all__ = ["JobConflict", "MockService", "ScenarioError"]
