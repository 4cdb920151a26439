"""Errors of the verification services: a code for machines, a translated message for people."""

from __future__ import annotations


class VerificationError(Exception):
    """A refused request. ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class NotEligible(VerificationError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code, status=403)


class QuotaExceeded(VerificationError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code, status=429)
