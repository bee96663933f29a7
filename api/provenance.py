"""Provenance mutations: an editor marks an extracted statement verified, or takes that back."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api import mapping
from api.editing import require_editor
from api.errors import ClientError
from api.relay import decode_global_id
from api.rows import context, optional_row
from db.engine import unit_of_work
from db.provenance import set_statement_verified

if TYPE_CHECKING:
    from api.statements import Statement

StatementRef = Annotated["Statement", strawberry.lazy("api.statements")]


@strawberry.enum(description="Why a statement could not be marked.")
class StatementVerifyErrorCode(enum.Enum):
    INVALID = strawberry.enum_value("invalid", description="The ID is not a Statement's ID.")
    NOT_FOUND = strawberry.enum_value("not_found", description="No statement has this ID.")


@strawberry.type(description="Something wrong with the input; nothing was changed.")
class StatementVerifyError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What is wrong, for a person to read.")
    code: StatementVerifyErrorCode = strawberry.field(description="What is wrong, for a program.")


@strawberry.type(description="The outcome of statementVerify.")
class StatementVerifyPayload:
    statement: StatementRef | None = strawberry.field(
        description="The statement as it now stands; null when there are errors."
    )
    errors: list[StatementVerifyError] = strawberry.field(description="Empty when it worked.")


def _failed(code: StatementVerifyErrorCode, message: str) -> StatementVerifyPayload:
    error = StatementVerifyError(field="id", message=message, code=code)
    return StatementVerifyPayload(statement=None, errors=[error])


@strawberry.type
class ProvenanceMutations:
    @strawberry.mutation(
        description="Mark a statement as checked against its sources by an editor (or unmark it)."
    )
    async def statement_verify(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The statement's ID.")],
        verified: Annotated[
            bool, strawberry.argument(description="false takes the mark back.")
        ] = True,
    ) -> StatementVerifyPayload:
        require_editor(info)
        try:
            type_name, pk = decode_global_id(id)
        except ClientError as error:
            return _failed(StatementVerifyErrorCode.INVALID, str(error))
        if type_name != "Statement":
            return _failed(StatementVerifyErrorCode.INVALID, f"{id!r} is a {type_name}'s ID")
        request_context = context(info)
        assert request_context.request is not None, "mutations arrive over HTTP"
        async with unit_of_work(request_context.request.app.state.sessions) as session:
            found = await set_statement_verified(session, pk, verified)
        row = (
            await request_context.loaders.by_id(mapping.STATEMENT.model).load(pk) if found else None
        )
        if row is None:
            return _failed(StatementVerifyErrorCode.NOT_FOUND, f"no statement has ID {id!r}")
        from api.statements import Statement

        return StatementVerifyPayload(statement=optional_row(Statement, row), errors=[])
