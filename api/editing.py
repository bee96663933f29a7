"""What every editor mutation shares: the editor check, typed errors, and one transaction each."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.errors import ClientError
from api.relay import decode_global_id
from api.rows import context
from db.editing import Editor, EditRefused, Problem
from db.visibility import Role

T = TypeVar("T")


class Forbidden(ClientError):
    """The caller may not do this: a top-level error, since no input would fix it."""

    code = "FORBIDDEN"


@strawberry.enum(description="Why a mutation refused its input.")
class MutationErrorCode(enum.Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    REQUIRED = "required"
    CONFLICT = "conflict"


@strawberry.type(description="One reason a mutation changed nothing.")
class MutationError:
    field: str | None = strawberry.field(
        description="The input field at fault, as the schema names it; null for the whole input."
    )
    message: str = strawberry.field(description="What is wrong and what to send instead.")
    code: MutationErrorCode = strawberry.field(description="The kind of problem.")


@strawberry.type(description="The result of a deletion.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The ID of what was deleted; null when nothing was."
    )
    errors: list[MutationError] = strawberry.field(
        description="Why nothing was deleted; empty on success."
    )


def deleted(global_id: str, errors: list[MutationError]) -> DeletePayload:
    """The payload of a deletion that `errors` did or did not refuse."""
    return DeletePayload(deleted_id=None if errors else strawberry.ID(global_id), errors=errors)


def editor_of(info: Info) -> Editor:
    viewer = context(info).viewer
    if viewer.role is not Role.EDITOR:
        raise Forbidden("Only editors may change content: send an editor's API key.")
    return Editor(key_id=viewer.key_id, now=viewer.now)


def require_editor(info: Info) -> None:
    editor_of(info)


def entity_id(global_id: str, field: str, *types: str) -> tuple[str, int]:
    """(type name, pk) of an ID naming one of `types`; EditRefused for anything else."""
    try:
        type_name, pk = decode_global_id(global_id)
    except ClientError as error:
        raise EditRefused(field, str(error), Problem.INVALID) from None
    if type_name not in types:
        raise EditRefused(field, f"Expected the ID of a {' or '.join(types)}.", Problem.INVALID)
    return type_name, pk


def pk_of(global_id: str, field: str, type_name: str) -> int:
    return entity_id(global_id, field, type_name)[1]


async def run_edit(
    info: Info, work: Callable[[AsyncSession, Editor], Awaitable[T]]
) -> tuple[T | None, list[MutationError]]:
    """Runs `work` as the editor and commits it; refused input rolls back and becomes errors."""
    editor = editor_of(info)
    session = context(info).session
    try:
        result = await work(session, editor)
        await session.commit()
    except EditRefused as refused:
        await session.rollback()
        error = MutationError(
            field=refused.field,
            message=refused.message,
            code=MutationErrorCode(refused.problem.value),
        )
        return None, [error]
    except BaseException:
        await session.rollback()
        raise
    return result, []


def given(values: Any) -> dict[str, Any]:
    """The fields of an input object that the caller set (null included), by Python name."""
    return {name: value for name, value in vars(values).items() if value is not strawberry.UNSET}
