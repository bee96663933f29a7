"""What every editor mutation shares: the editor check, typed errors, and one transaction each."""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from api.errors import ClientError
from api.relay import decode_global_id
from api.rows import context
from db.editing import (
    Editor,
    EditRefused,
    Kind,
    Problem,
    collision_refusal,
    create_row,
    delete_row,
    update_row,
)
from db.visibility import Role

T = TypeVar("T")
logger = logging.getLogger(__name__)


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
    info: Info,
    work: Callable[[AsyncSession, Editor], Awaitable[T]],
    *,
    idempotent: bool = False,
) -> tuple[T | None, list[MutationError]]:
    """Runs `work` as the editor and commits it; refused input rolls back and becomes errors.

    So does a constraint the database enforces when the checks in `work` passed: a
    concurrent edit wrote the clashing row between those checks and this write (or commit).
    An `idempotent` edit (one that makes a state so, like "this paragraph reports that
    vote") runs once more instead: the concurrent edit made the same state, and the second
    run finds it made.
    """
    editor = editor_of(info)
    attempts = 2 if idempotent else 1
    return await run_refusable(info, lambda session: work(session, editor), attempts)


async def run_refusable(
    info: Info, work: Callable[[AsyncSession], Awaitable[T]], attempts: int = 1
) -> tuple[T | None, list[MutationError]]:
    """Runs `work` in the request's session and commits it, as `run_edit` does, for callers
    that have already checked who may run it (partners managing their webhooks).

    A database constraint that refuses the write runs `work` again, up to `attempts` runs.
    """
    session = context(info).session
    for _ in range(attempts):
        try:
            result = await work(session)
            await session.commit()
        except EditRefused as refused:
            await session.rollback()
            return None, [_error_of(refused)]
        except IntegrityError as error:
            await session.rollback()
            # The database's words stay in the log: they name tables and values.
            logger.warning("an edit collided with a concurrent one: %s", error.orig)
            collision = collision_refusal(error)
        except BaseException:
            await session.rollback()
            raise
        else:
            return result, []
    return None, [_error_of(collision)]


def _error_of(refused: EditRefused) -> MutationError:
    return MutationError(
        field=refused.field,
        message=refused.message,
        code=MutationErrorCode(refused.problem.value),
    )


def given(values: Any) -> dict[str, Any]:
    """The fields of an input object that the caller set (null included), by Python name."""
    return {name: value for name, value in vars(values).items() if value is not strawberry.UNSET}


def values_of(
    input: Any,
    ids: Mapping[str, str] | None = None,
    *,
    creating: bool = False,
    columns: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The fields of an input object the caller set, by column: the global IDs among `ids`
    (Python field name: type name) turned into keys, and fields renamed as `columns` says
    where the table names them otherwise. A creation leaves nulls out, so that defaults
    apply. Call it inside the edit: a wrong ID is refused input."""
    values = given(input)
    if creating:
        values = {name: value for name, value in values.items() if value is not None}
    for name, type_name in (ids or {}).items():
        if values.get(name) is not None:
            values[name] = pk_of(values[name], to_camel_case(name), type_name)
    renamed = columns or {}
    return {renamed.get(name, name): value for name, value in values.items()}


async def create_node(
    info: Info,
    kind: Kind[Any],
    input: Any,
    ids: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[Any, list[MutationError]]:
    """Creates a row of `kind` from an input object (see values_of): the row, or errors."""

    async def work(session: AsyncSession, editor: Editor) -> Any:
        values = values_of(input, ids, creating=True, columns=columns)
        return await create_row(session, editor, kind, values)

    return await run_edit(info, work)


async def update_node(
    info: Info,
    kind: Kind[Any],
    global_id: str,
    input: Any,
    ids: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[Any, list[MutationError]]:
    """Changes the row of `kind` that `global_id` names: the row, or errors."""

    async def work(session: AsyncSession, editor: Editor) -> Any:
        pk = pk_of(global_id, "id", kind.type_name)
        values = values_of(input, ids, columns=columns)
        return await update_row(session, editor, kind, pk, values)

    return await run_edit(info, work)


async def delete_node(info: Info, global_id: str, kind: Kind[Any]) -> DeletePayload:
    """Deletes the row of `kind` that `global_id` names, as a deletion's payload."""

    async def work(session: AsyncSession, editor: Editor) -> bool:
        await delete_row(session, editor, kind, pk_of(global_id, "id", kind.type_name))
        return True

    return deleted(global_id, (await run_edit(info, work))[1])
