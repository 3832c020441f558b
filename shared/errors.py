"""The error split every entry point relies on.

A *transient* error is raised out of a Pub/Sub-triggered function so that Pub/Sub retries it
(network blips, 429/5xx, Firestore contention). A *permanent* error is logged with context,
recorded and swallowed: retrying a bad payload forever only fills the dead-letter topic.
"""


class WacrmError(Exception):
    """Base of the project's own errors."""


class TransientError(WacrmError):
    """Worth retrying: the same input may succeed later."""


class PermanentError(WacrmError):
    """Retrying cannot help: bad input or a missing resource."""


class ConfigError(PermanentError):
    """A required setting is missing or invalid; the message names the environment variable."""


class BadRequest(PermanentError):
    """An HTTP request we refuse, with the status code and a reason for the caller."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
