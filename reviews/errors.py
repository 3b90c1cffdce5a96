"""Errors of the review workflow, each with a message written for the person who acted."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied


class WorkflowError(Exception):
    """A workflow action was refused; the message says why, in words for the person acting."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WorkflowPermissionDenied(WorkflowError, PermissionDenied):
    """The acting user may not take this action."""


class WrongPassword(WorkflowPermissionDenied):
    """The password re-entered to sign was not the signer's; nothing was signed."""

    field = "password"


class WrongCode(WrongPassword):
    """The authenticator code given to sign was not the current one; nothing was signed."""

    field = "code"


class SigningLocked(WorkflowPermissionDenied):
    """Too many wrong signing passwords: this reviewer cannot sign anything until `until`."""

    def __init__(self, message: str, *, until: dt.datetime):
        super().__init__(message)
        self.until = until


class TransitionNotAllowed(WorkflowError):
    """The revision, review or sheet is not in a state that allows this action."""


class InvalidInput(WorkflowError):
    """Something the action needs is missing or malformed."""
