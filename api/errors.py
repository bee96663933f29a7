"""Errors a client may see, and the rule that masks every other one."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

MASKED_MESSAGE = "Internal server error."


class ClientError(Exception):
    """A request the client can fix: bad arguments, a malformed ID, an impossible range.

    Its message reaches the client as written, with `extensions.code`; every other
    exception raised while resolving is masked and logged.
    """

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions = {"code": self.code, **extensions}


def should_mask(error: GraphQLError) -> bool:
    """Mask what broke while resolving a field, unless it is a ClientError.

    Errors without a path come from validating the document or coercing variables and
    describe only the request, so they are safe (and necessary) to show.
    """
    original = error.original_error
    if original is None or error.path is None or isinstance(original, GraphQLError):
        return False
    if isinstance(original, ClientError):
        error.extensions = {**(error.extensions or {}), **original.extensions}
        return False
    return True


class MaskInternalErrors(MaskErrors):
    """MaskErrors that keeps the original exception on the masked error, out of the client's
    sight, so the view can still tell a database outage (503) from a bug."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.original_error = error.original_error
        return masked
