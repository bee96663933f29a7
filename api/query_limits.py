"""Static limits on a GraphQL document, checked before anything executes or touches the database."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    parse,
)

from newsgraph.settings import Settings

LIMIT_EXCEEDED = "QUERY_LIMIT_EXCEEDED"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
_INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class QueryRejected(Exception):
    """A document the server refuses to run; its message and extensions reach the client."""

    def __init__(self, message: str, code: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": code, **details}


@dataclass(frozen=True)
class Measure:
    """What a document would cost: the figures the limits compare against."""

    depth: int
    aliases: int
    directives: int
    cost: int
    nodes: int


@lru_cache(maxsize=1024)
def parse_limited(query: str, max_tokens: int) -> DocumentNode:
    """Parse `query`, refusing documents longer than `max_tokens` before building them.

    Raises GraphQLError for a syntax error and QueryRejected for too many tokens. Documents
    are cached (clients repeat theirs), and only read afterwards.
    """
    try:
        return parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        if "Document contains more than" in error.message:
            raise QueryRejected(
                f"The document has more than {max_tokens} tokens; send a shorter one.",
                LIMIT_EXCEEDED,
                limit="tokens",
                maximum=max_tokens,
            ) from error
        raise


class _Walker:
    """Measures one operation, fragments inlined, against the schema's types.

    Names the schema doesn't know are skipped: validation, which runs next, reports them.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        settings: Settings,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.settings = settings
        self.aliases = 0
        self.directives = 0
        self.introspects = False

    def fields(
        self, selection_set: SelectionSetNode, visiting: frozenset[str]
    ) -> Iterator[FieldNode]:
        """The fields a selection set selects, through fragments, each counted once per use."""
        for selection in selection_set.selections:
            self.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                # A cycle is a validation error; stop here rather than recurse forever.
                if fragment is None or name in visiting:
                    continue
                self.directives += len(fragment.directives or ())
                yield from self.fields(fragment.selection_set, visiting | {name})

    def measure(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, depth: int
    ) -> tuple[int, int, int]:
        """(deepest level, cost, objects) of a selection set on `parent` at `depth`."""
        deepest, cost, nodes = depth, 0, 0
        for field in self.fields(selection_set, frozenset()):
            if field.alias is not None:
                self.aliases += 1
            if field.name.value in _INTROSPECTION_FIELDS:
                self.introspects = True
            field_type = self._field_type(parent, field.name.value)
            multiplier = self._multiplier(parent, field, field_type)
            if field.selection_set is None:
                cost += 1
                continue
            child_deepest, child_cost, child_nodes = self.measure(
                field.selection_set,
                get_named_type(field_type) if field_type is not None else None,
                depth + 1,
            )
            deepest = max(deepest, child_deepest)
            cost += 1 + multiplier * child_cost
            nodes += multiplier * (1 + child_nodes)
        return deepest, cost, nodes

    def _field_type(self, parent: GraphQLNamedType | None, name: str) -> GraphQLOutputType | None:
        if not isinstance(parent, GraphQLObjectType) or name not in parent.fields:
            # Interfaces and unions: the fields of any implementation cost the same to us.
            return None
        field_type: GraphQLOutputType = parent.fields[name].type
        return field_type

    def _multiplier(
        self,
        parent: GraphQLNamedType | None,
        field: FieldNode,
        field_type: GraphQLOutputType | None,
    ) -> int:
        """How many times a field's subtree can appear under one parent."""
        if field_type is None or _is_connection(parent):
            return 1  # a connection's `edges` were multiplied by its `first` already
        if _is_connection(get_named_type(field_type)):
            # A connection: its page holds `first` items (the default page when omitted).
            return max(self._int_argument(field, "first", self.settings.default_page_size), 1)
        unwrapped = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        if isinstance(unwrapped, GraphQLList):
            ids = self._list_argument_length(field)
            return ids if ids is not None else self.settings.limit_list_size_estimate
        return 1

    def _argument(self, field: FieldNode, name: str) -> Any:
        for argument in field.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                return self.variables.get(value.name.value)
            return value
        return None

    def _int_argument(self, field: FieldNode, name: str, default: int) -> int:
        value = self._argument(field, name)
        if isinstance(value, IntValueNode):
            value = int(value.value)
        # Out-of-range values fail in the resolver; here they must not shrink the cost.
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def _list_argument_length(self, field: FieldNode) -> int | None:
        for argument in field.arguments or ():
            value: Any = argument.value
            if isinstance(value, VariableNode):
                value = self.variables.get(value.name.value)
            if isinstance(value, ListValueNode):
                return max(len(value.values), 1)
            if isinstance(value, list):
                return max(len(value), 1)
        return None


def _is_connection(named: GraphQLNamedType | None) -> bool:
    return (
        isinstance(named, GraphQLObjectType)
        and "edges" in named.fields
        and "pageInfo" in named.fields
    )


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    settings: Settings,
) -> tuple[Measure, bool]:
    """The measure of the operation that would run (every operation when that is ambiguous),
    and whether it asks for introspection."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        )
    ]
    walker = _Walker(schema, fragments, variables or {}, settings)
    depth = cost = nodes = 0
    for operation in operations:
        walker.directives += len(operation.directives or ())
        root = schema.get_root_type(operation.operation)
        deepest, operation_cost, operation_nodes = walker.measure(operation.selection_set, root, 1)
        depth = max(depth, deepest)
        cost = max(cost, operation_cost)
        nodes = max(nodes, operation_nodes)
    figures = Measure(
        depth=depth, aliases=walker.aliases, directives=walker.directives, cost=cost, nodes=nodes
    )
    return figures, walker.introspects


def check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    settings: Settings,
) -> Measure:
    """Raise QueryRejected when the document exceeds a limit or introspects when that is off."""
    figures, introspects = measure(schema, document, operation_name, variables, settings)
    if introspects and not settings.introspection:
        raise QueryRejected("Introspection is disabled on this server.", INTROSPECTION_DISABLED)
    limits = (
        ("depth", figures.depth, settings.max_depth, "fields nested"),
        ("aliases", figures.aliases, settings.max_aliases, "aliases"),
        ("directives", figures.directives, settings.max_directives, "directives"),
        ("cost", figures.cost, settings.max_cost, "points"),
        ("nodes", figures.nodes, settings.max_nodes, "objects in the response"),
    )
    for name, actual, maximum, words in limits:
        if actual > maximum:
            raise QueryRejected(
                f"The query exceeds the {name} limit: {actual} {words}, at most {maximum}. "
                "Ask for fewer fields or smaller pages (`first`).",
                LIMIT_EXCEEDED,
                limit=name,
                maximum=maximum,
                actual=actual,
            )
    return figures
