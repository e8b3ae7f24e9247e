"""Named errors. Each carries a stable code and says what to do next."""

from __future__ import annotations


class AiwatchError(Exception):
    """Base error: ``code`` is stable and machine-readable, the message is for people."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class BadInput(AiwatchError):
    """One input item cannot be used. The batch goes on; the item is recorded as skipped."""

    code = "bad_input"


class FetchError(AiwatchError):
    """A URL could not be fetched (network error, HTTP error, a limit was hit)."""

    code = "fetch_failed"


class BlockedURL(FetchError):
    """A URL points somewhere aiwatch will not go: a private address, a non-HTTP scheme."""

    code = "blocked_url"


class StoreError(AiwatchError):
    code = "store_error"


class PipelineBusy(StoreError):
    """Another run holds the store's pipeline, and this one was asked not to wait (``wait=False``)."""

    code = "pipeline_busy"
