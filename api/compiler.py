"""The compiled read path: a validated query becomes one SQL statement per root field.

Resolving field by field spends its time in Python, not in the database. Here the
selection is walked once against the same declarations the resolvers use (api/mapping.py)
and turned into SQL that builds each root field's JSON inside the database, shaped and
formatted exactly as the resolver path would answer. Whatever this module cannot compile
(node lookups, introspection, mutations, @defer, a client error to report) returns None,
and the request goes down the resolver path, which stays the reference.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

import orjson
import strawberry
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from sqlalchemy import Column, ColumnElement, Table, case, func, inspect, literal, null, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, Label
from sqlalchemy.sql.selectable import Join
from sqlalchemy.sql.util import ClauseAdapter

from api import mapping as maps
from api.articles import ArticleFilter, article_criteria
from api.enums import DateOrder
from api.errors import ClientError
from api.nodes import MAX_NODES, NODE_TYPES
from api.organizations import choose_by_name
from api.relay import Page, decode_global_id, encode_cursor
from api.statements import StatementFilter, statement_criteria
from api.votes import VoteFilter, vote_criteria
from db import models as m
from db import queries
from db.base import Base
from db.jsonsql import JsonDialect
from db.prepared_reads import PreparedSelect
from db.relations import AnySelect, ToMany, ToOne
from db.visibility import (
    ANCHORED_IN_PARAGRAPHS,
    KEY_PARAMETER,
    NOW_PARAMETER,
    Viewer,
    narrow,
    text_readable,
    visible,
)
from newsgraph.settings import Settings

_PLAN_CACHE_SIZE = 1024


def parameters(viewer: Viewer) -> dict[str, Any]:
    """What a (possibly cached) plan needs to run for this request.

    Plans are cached per role, not per key: the caller's key is a parameter too, so a plan
    built for one partner reads another partner's own rows when that partner asks.
    """
    return {NOW_PARAMETER: viewer.now, KEY_PARAMETER: viewer.key_id}


class NotCompiled(Exception):
    """This selection goes down the resolver path instead."""


@dataclass(frozen=True)
class RootStatement:
    """One root field's SQL: its first column is the field's JSON value."""

    response_key: str
    statement: AnySelect
    # Picks the answer from the statement's rows (most roots: the one row's JSON).
    finish: Callable[[Sequence[Any]], Any]
    # The statement rendered for the driver (PostgreSQL); None runs `statement` in a Session.
    prepared: PreparedSelect | None = None


class _NamedRow(NamedTuple):
    """A row of a root chosen by name: its JSON, and what choose_by_name compares."""

    value: Any
    slug: str
    normalized_name: str


def _from_json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _single_value(rows: Sequence[Any]) -> Any:
    return _from_json(rows[0][0]) if rows else None


def _as_fragment(value: str | bytes | None) -> orjson.Fragment | None:
    return None if value is None else orjson.Fragment(value)


def _response_text(rows: Sequence[Any]) -> orjson.Fragment | None:
    """The one row's JSON, spliced into the response as the database wrote it."""
    return _as_fragment(rows[0][0]) if rows else None


def _unwrap(graphql_type: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    """The named type inside NonNull, and whether a List wraps it."""
    is_list = False
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        if isinstance(graphql_type, GraphQLList):
            is_list = True
        graphql_type = graphql_type.of_type
    return graphql_type, is_list


def _adapt(expression: Any, alias: Any) -> Any:
    """`expression`, written against a model's table, rewritten against an alias of it."""
    if hasattr(expression, "__clause_element__"):  # a bare mapped attribute
        expression = expression.__clause_element__()
    return ClauseAdapter(inspect(alias).selectable).traverse(expression)


@dataclass(frozen=True)
class _Chain:
    """A relation's pairs read straight from the target's table and tables it inner-joins.

    `c` holds the pair columns, `from_clause` the joins and `where` the pairs' own filter,
    all on `target` and fresh aliases of the other tables; `joined` says which alias a
    foreign key of a joined row reaches: `(id(row), column name) → (row, alias)`.
    """

    c: Any
    from_clause: Any
    where: Any
    joined: dict[tuple[int, str], tuple[Any, Any]]


def _name(table: Any) -> str:
    """A table's name: tables are compared by name, since the ORM's joins hold annotated
    copies of them rather than the tables themselves."""
    name: str = table.key
    return name


def _inner_join_tables(from_clause: Any) -> list[Table] | None:
    """The tables of a chain of inner joins, leftmost first; None for any other FROM."""
    if isinstance(from_clause, Table):
        return [from_clause]
    if not isinstance(from_clause, Join) or from_clause.isouter or from_clause.full:
        return None
    left = _inner_join_tables(from_clause.left)
    if left is None or not isinstance(from_clause.right, Table):
        return None
    return [*left, from_clause.right]


def _key_joins(from_clause: Any) -> list[tuple[Any, Any]]:
    """`(foreign key column, primary key column)` for each join of a chain that is
    `right.id = left.<column>`, on the original tables."""
    found = []
    while isinstance(from_clause, Join):
        onclause = from_clause.onclause
        if isinstance(onclause, BinaryExpression) and onclause.operator is operators.eq:
            for key, other in ((onclause.left, onclause.right), (onclause.right, onclause.left)):
                if (
                    isinstance(key, Column)
                    and _name(key.table) == _name(from_clause.right)
                    and key.primary_key
                    and isinstance(other, Column)
                ):
                    found.append((other, key))
        from_clause = from_clause.left
    return found


def _chain_on_target(relation: ToMany, target: Any) -> _Chain | None:
    """The relation's pairs on `target`, when they read the target's own table, alone or
    inner-joined to others (a quote's paragraph and article, for ordering); None when they
    need the pairs as a subquery joined back to the target."""
    pairs = relation.pairs
    froms = pairs.get_final_froms()
    if relation.distinct or len(froms) != 1:
        return None
    tables = _inner_join_tables(froms[0])
    names = [_name(table) for table in tables or ()]
    if not names or names[0] != _name(inspect(relation.target).local_table):
        return None
    if len(set(names)) != len(names):
        return None
    aliases: dict[str, Any] = {names[0]: target}
    for name in names[1:]:
        model = _MODELS_BY_TABLE.get(name)
        if model is None:
            return None
        aliases[name] = aliased(model)
    adapter = ClauseAdapter(inspect(target).selectable)
    for name in names[1:]:
        adapter = adapter.chain(ClauseAdapter(inspect(aliases[name]).selectable))
    columns = {
        str(column.key): adapter.traverse(column.element if isinstance(column, Label) else column)
        for column in pairs.selected_columns
    }
    joined = {}
    for foreign_key, primary_key in _key_joins(froms[0]):
        row, reached = aliases[_name(foreign_key.table)], aliases[_name(primary_key.table)]
        joined[(id(row), str(foreign_key.key))] = (row, reached)
    return _Chain(
        c=SimpleNamespace(**columns),
        from_clause=adapter.traverse(froms[0]),
        where=None if pairs.whereclause is None else adapter.traverse(pairs.whereclause),
        joined=joined,
    )


class ReadCompiler:
    """Compiles query documents for one schema and one database dialect."""

    def __init__(self, schema: strawberry.Schema, dialect: JsonDialect, settings: Settings) -> None:
        self.schema = schema._schema
        self.dialect = dialect
        self.settings = settings
        self.mappings = {mapping.graphql_type: mapping for mapping in maps.ALL}
        self.name_converter = schema.config.name_converter
        # GraphQL field name -> Python (mapping) field name, per mapped type.
        self.python_names: dict[str, dict[str, str]] = {}
        for type_name in self.mappings:
            definition = schema.get_type_by_name(type_name)
            assert definition is not None and hasattr(definition, "fields")
            self.python_names[type_name] = {
                schema.config.name_converter.get_graphql_name(f): f.python_name
                for f in definition.fields
            }
        self._documents = lru_cache(maxsize=512)(self._parse_and_validate)
        # Building a plan costs more than running it: identical requests reuse theirs.
        self._plans: OrderedDict[tuple[Any, ...], list[RootStatement] | None] = OrderedDict()

    def _parse_and_validate(self, query: str) -> DocumentNode | None:
        try:
            document = parse(query)
        except GraphQLError:
            return None
        return None if validate(self.schema, document) else document

    # --- entry point -------------------------------------------------------------------

    def compile(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        viewer: Viewer,
    ) -> list[RootStatement] | None:
        """The root statements answering this request, or None for the resolver path.

        Run them with `parameters(viewer)`: a cached plan was built at another moment.
        """
        try:
            key = (
                query,
                operation_name,
                orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
                viewer.role,
            )
        except TypeError:
            key = None  # variables orjson cannot encode: build without caching
        if key is not None and key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key]
        plan = self._build(query, operation_name, variables or {}, viewer)
        if key is not None:
            self._plans[key] = plan
            if len(self._plans) > _PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plan

    def _build(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any],
        viewer: Viewer,
    ) -> list[RootStatement] | None:
        document = self._documents(query)
        if document is None:
            return None
        try:
            roots = self._compile_operation(document, operation_name, variables, viewer)
        except (NotCompiled, ClientError):
            return None
        if self.dialect.name != "postgresql":
            return roots
        return [replace(root, prepared=PreparedSelect.of(root.statement)) for root in roots]

    def _compile_operation(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
        viewer: Viewer,
    ) -> list[RootStatement]:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            o
            for o in operations
            if operation_name is None or (o.name is not None and o.name.value == operation_name)
        ]
        if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
            raise NotCompiled("not exactly one query operation")
        operation = chosen[0]
        fragments = {
            d.name.value: FragmentDetails(d)
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), dict(variables)
        )
        if not isinstance(coerced, VariableValues):
            raise NotCompiled("variables do not coerce")
        query_type = self.schema.query_type
        assert query_type is not None
        walk = _Walk(self, fragments, coerced, operation, viewer)
        collected = collect_fields(self.schema, fragments, coerced, query_type, operation)
        if collected.new_defer_usages:
            raise NotCompiled("@defer")
        return [
            walk.root(response_key, query_type, details)
            for response_key, details in collected.grouped_field_set.items()
        ]


class _Walk:
    """One compilation: the operation, its fragments and variables, and who is asking."""

    def __init__(
        self,
        compiler: ReadCompiler,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
        operation: OperationDefinitionNode,
        viewer: Viewer,
    ) -> None:
        self.compiler = compiler
        self.sql = compiler.dialect
        self.fragments = fragments
        self.variables = variables
        self.operation = operation
        self.viewer = viewer
        # Which alias a row's foreign key reaches by a join already in its FROM (_Chain).
        self._joined: dict[tuple[int, str], tuple[Any, Any]] = {}
        # Whether the database's JSON text can go into the response as it is; a Float
        # anywhere means parsing it, since no engine spells floats as orjson does.
        self._exact_text = self.sql.writes_response_text

    def _answer(self, value: ColumnElement[Any]) -> AnySelect:
        """The SELECT of a root's JSON, in the form the engine hands it back best."""
        return select(self.sql.answer(value))

    def _finish_one(self) -> Callable[[Sequence[Any]], Any]:
        """How a root whose statement answers one row of JSON picks its answer; asked once
        the root's value is built."""
        return _response_text if self._exact_text else _single_value

    # --- roots ---------------------------------------------------------------------------

    def root(
        self, response_key: str, query_type: GraphQLObjectType, details: list[FieldDetails]
    ) -> RootStatement:
        field_name = details[0].node.name.value
        if field_name == "__typename":
            name = query_type.name
            return RootStatement(response_key, select(literal(name)), lambda _rows: name)
        if field_name not in query_type.fields:
            raise NotCompiled(f"root field {field_name} (introspection)")
        field = query_type.fields[field_name]
        arguments = get_argument_values(field, details[0].node, self.variables)
        named, _ = _unwrap(field.type)
        if field_name in ("article", "organization", "person"):
            return self._root_object(response_key, field_name, arguments, named, details)
        if field_name == "node":
            value = self._node(arguments["id"], details)
            return RootStatement(response_key, self._answer(value), self._finish_one())
        if field_name == "nodes":
            if len(arguments["ids"]) > MAX_NODES:
                raise NotCompiled("too many IDs: the resolver explains")
            values = [self._node(global_id, details) for global_id in arguments["ids"]]
            return RootStatement(
                response_key, self._answer(self.sql.json_array(values)), self._finish_one()
            )
        if field_name in _ROOT_LISTS:
            statement = self._root_list(field_name, arguments)
            assert isinstance(named, GraphQLObjectType)
            value = self.connection(
                named, details, narrow(statement, self.viewer), arguments, parent=None
            )
            return RootStatement(response_key, self._answer(value), self._finish_one())
        raise NotCompiled(f"root field {field_name}")

    def _node(self, global_id: str, details: list[FieldDetails]) -> ColumnElement[Any]:
        """The object a global ID names, as JSON; null when it does not exist or is hidden."""
        type_name, pk = decode_global_id(global_id)  # a ClientError sends this to the resolver
        if type_name not in NODE_TYPES:
            raise NotCompiled(f"unknown type in ID {global_id!r}: the resolver explains")
        graphql_type = self.compiler.schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        model = self.compiler.mappings[type_name].model
        rows = narrow(select(model).where(model.id == pk), self.viewer).subquery()  # type: ignore[attr-defined]
        row = aliased(model, rows)
        return self.sql.embed(select(self.object(graphql_type, details, row)).select_from(rows))

    def _root_list(self, field_name: str, arguments: dict[str, Any]) -> AnySelect:
        """The same SELECT the resolver of a root list runs, from the same criteria."""
        order = arguments.get("orderBy", DateOrder.NEWEST_FIRST)
        if field_name == "articles":
            filter = self._input(ArticleFilter, arguments.get("filter"))
            return queries.articles(article_criteria(filter, order), self.viewer)
        if field_name == "statements":
            filter = self._input(StatementFilter, arguments.get("filter"))
            return queries.statements(statement_criteria(filter, order), self.viewer)
        if field_name == "votes":
            return queries.votes(vote_criteria(self._input(VoteFilter, arguments.get("filter"))))
        if field_name == "organizations":
            return queries.organizations(arguments.get("search"), arguments.get("kind"))
        return queries.persons(arguments.get("search"))

    def _input(self, input_class: Any, value: dict[str, Any] | None) -> Any:
        """A strawberry input object from the coerced GraphQL value (camelCase keys)."""
        if value is None:
            return None
        converter = self.compiler.name_converter
        fields = input_class.__strawberry_definition__.fields
        return input_class(
            **{
                f.python_name: value[converter.get_graphql_name(f)]
                for f in fields
                if converter.get_graphql_name(f) in value
            }
        )

    def _root_object(
        self,
        response_key: str,
        field_name: str,
        arguments: dict[str, Any],
        graphql_type: Any,
        details: list[FieldDetails],
    ) -> RootStatement:
        model = self.compiler.mappings[graphql_type.name].model
        slug, name = arguments.get("slug"), arguments.get("name")
        if field_name == "article":
            base = queries.article_by_slug(arguments["slug"])
        elif (slug is None) == (name is None):
            raise NotCompiled("slug and name both or neither: the resolver explains")
        elif slug is not None:
            base = queries.by_slug(model, slug)
        else:
            by_name = (
                queries.organizations_by_name
                if field_name == "organization"
                else queries.persons_by_name
            )
            base = by_name(str(name))
        rows = narrow(base, self.viewer).subquery()
        row = aliased(model, rows)
        value = self.object(graphql_type, details, row)
        if name is None:
            return RootStatement(
                response_key,
                self._answer(value).select_from(rows).limit(1),
                self._finish_one(),
            )

        asked: str = name
        exact_text = self._exact_text

        def choose(found: Sequence[Any]) -> Any:
            named = [_NamedRow._make(row) for row in found]
            chosen = choose_by_name(named, asked)  # may raise ClientError, as the resolver does
            if chosen is None:
                return None
            return _as_fragment(chosen.value) if exact_text else _from_json(chosen.value)

        statement = select(
            self.sql.answer(value).label("value"),
            rows.c.slug.label("slug"),
            rows.c.normalized_name.label("normalized_name"),
        ).select_from(rows)
        return RootStatement(response_key, statement, choose)

    # --- objects -------------------------------------------------------------------------

    def subfields(
        self, graphql_type: GraphQLObjectType, details: list[FieldDetails]
    ) -> dict[str, list[FieldDetails]]:
        """The fields `details` select on `graphql_type`, collected as the executor would."""
        collected = collect_subfields(
            self.compiler.schema,
            self.fragments,
            self.variables,
            self.operation,
            graphql_type,
            details,
        )
        if collected.new_defer_usages:
            raise NotCompiled("@defer")
        return dict(collected.grouped_field_set)

    def object(
        self, graphql_type: GraphQLObjectType, details: list[FieldDetails], row: Any
    ) -> ColumnElement[Any]:
        """The JSON object of `row` (a model alias) with the fields `details` select."""
        collected = self.subfields(graphql_type, details)
        pairs = [
            (key, self.field(graphql_type, field_details, row))
            for key, field_details in collected.items()
        ]
        return self.sql.object(pairs)

    def field(
        self, parent_type: GraphQLObjectType, details: list[FieldDetails], row: Any
    ) -> ColumnElement[Any]:
        node = details[0].node
        field_name = node.name.value
        if field_name == "__typename":
            return self.sql.string(parent_type.name)
        mapping = self.compiler.mappings.get(parent_type.name)
        if mapping is None:
            raise NotCompiled(f"type {parent_type.name}")
        field = parent_type.fields[field_name]
        python_name = self.compiler.python_names[parent_type.name].get(field_name)
        if field_name == "id" and python_name == "id":
            return self.sql.global_id(parent_type.name, row.id)
        arguments = get_argument_values(field, node, self.variables)
        named, is_list = _unwrap(field.type)
        if python_name in mapping.columns:
            return self.scalar(getattr(row, mapping.columns[python_name].key), named)
        if python_name in mapping.value_lists:
            relation_name, column = mapping.value_lists[python_name]
            values = mapping.relations[relation_name]
            assert isinstance(values, ToMany)
            return self.value_list(values, column, row, named)
        if python_name in mapping.unions:
            return self.union(mapping.unions[python_name], mapping, details, row)
        if python_name in mapping.firsts and isinstance(named, GraphQLObjectType):
            first = mapping.relations[mapping.firsts[python_name]]
            assert isinstance(first, ToMany)
            return self.first(first, named, details, row)
        relation = mapping.relations.get(python_name or "")
        if relation is None or not isinstance(named, GraphQLObjectType):
            raise NotCompiled(f"{parent_type.name}.{field_name}")
        if isinstance(relation, ToOne):
            return self.to_one(relation, named, details, row)
        if is_list:
            return self.to_many(relation, named, details, row)
        return self.connection(
            named, details, self._related_rows(relation, row), arguments, parent=relation
        )

    def scalar(self, column: Any, graphql_type: Any) -> ColumnElement[Any]:
        if isinstance(graphql_type, GraphQLEnumType):
            return self.sql.enum(column, _ENUMS_BY_NAME[graphql_type.name])
        assert isinstance(graphql_type, GraphQLScalarType)
        if graphql_type.name == "DateTime":
            return self.sql.timestamp(column)
        if graphql_type.name == "Boolean":
            return self.sql.boolean(column)
        if graphql_type.name == "Float":
            self._exact_text = False
        if graphql_type.name in ("String", "Int", "Float", "Date", "ID"):
            return column  # type: ignore[no-any-return]
        raise NotCompiled(f"scalar {graphql_type.name}")

    def to_one(
        self,
        relation: ToOne,
        graphql_type: GraphQLObjectType,
        details: list[FieldDetails],
        row: Any,
    ) -> ColumnElement[Any]:
        reached = self._reached(row, relation.foreign_key, relation.target)
        if reached is not None and relation.shown_with_parent:
            # Joined already, by a chain that only keeps rows which have it.
            return self.object(graphql_type, details, reached)
        target = aliased(relation.target)
        statement = select(self.object(graphql_type, details, target)).where(
            target.id == getattr(row, relation.foreign_key)  # type: ignore[attr-defined]
        )
        condition = None if relation.shown_with_parent else visible(relation.target, self.viewer)
        if condition is not None:
            statement = statement.where(_adapt(condition, target))
        return self.sql.embed(statement)

    def first(
        self,
        relation: ToMany,
        graphql_type: GraphQLObjectType,
        details: list[FieldDetails],
        row: Any,
    ) -> ColumnElement[Any]:
        """The first visible row of a to-many relation, as an object; null when none."""
        statement = self._related_rows(relation, row)
        target = statement.column_descriptions[0]["entity"]
        value = self.object(graphql_type, details, target)
        return self.sql.embed(statement.with_only_columns(value).limit(1))

    def union(
        self,
        members: tuple[tuple[str, str], ...],
        mapping: maps.TypeMapping,
        details: list[FieldDetails],
        row: Any,
    ) -> ColumnElement[Any]:
        branches = []
        for type_name, relation_name in members:
            relation = mapping.relations[relation_name]
            assert isinstance(relation, ToOne)
            member_type = self.compiler.schema.type_map[type_name]
            assert isinstance(member_type, GraphQLObjectType)
            branches.append(
                (
                    getattr(row, relation.foreign_key).is_not(None),
                    self.to_one(relation, member_type, details, row),
                )
            )
        return case(*branches, else_=null())

    def _related_rows(self, relation: ToMany, row: Any) -> AnySelect:
        """The visible target rows of `row`'s relation, in relation order (an aliased select)."""
        target = aliased(relation.target)
        chain = _chain_on_target(relation, target)
        if chain is not None:
            # The pairs read the target's own table: filter its rows in place rather than
            # join them back to themselves, so an index on the key serves pages and counts;
            # what they join (a quote's paragraph and article) also serves the target's
            # fields and visibility below, instead of being looked up again per row.
            self._joined.update(chain.joined)
            statement = (
                select(target).select_from(chain.from_clause).where(chain.c.parent_key == row.id)
            )
            if chain.where is not None:
                statement = statement.where(chain.where)
            order = [_adapt(o, target) for o in relation.order_by(chain)]
        else:
            pairs_select = relation.pairs.distinct() if relation.distinct else relation.pairs
            pairs = pairs_select.subquery()
            statement = (
                select(target)
                .select_from(pairs)
                .join(target, target.id == pairs.c.target_id)  # type: ignore[attr-defined]
                .where(pairs.c.parent_key == row.id)
            )
            order = [_adapt(o, target) for o in relation.order_by(pairs)]
        # Explicit correlation: this select may end up in a FROM clause, where SQLAlchemy
        # would otherwise add the parent's table instead of referring to the outer row.
        statement = statement.order_by(*order).correlate(row)
        condition = self._visible(relation.target, target)
        if condition is not None:
            statement = statement.where(condition)
        return statement

    def _reached(self, row: Any, foreign_key: str, model: Any) -> Any | None:
        """The alias of `model` that `row`'s foreign key already reaches by a join in the
        same FROM, if any."""
        column = inspect(row).mapper.attrs[foreign_key].columns[0]
        found = self._joined.get((id(row), str(column.key)))
        if found is None or inspect(found[1]).mapper.class_ is not model:
            return None
        return found[1]

    def _visible(self, model: Any, row: Any) -> ColumnElement[bool] | None:
        """`visible(model)` on `row`, checked on the article the FROM already joins when the
        rule is that article's (a quote's, through its paragraph); else as its own probe."""
        paragraph = row if model is m.Paragraph else None
        if model in ANCHORED_IN_PARAGRAPHS:
            paragraph = self._reached(row, "paragraph_id", m.Paragraph)
        article = None if paragraph is None else self._reached(paragraph, "article_id", m.Article)
        if article is not None:
            return text_readable(self.viewer, article)
        condition = visible(model, self.viewer)
        return None if condition is None else _adapt(condition, row)

    def to_many(
        self,
        relation: ToMany,
        graphql_type: GraphQLObjectType,
        details: list[FieldDetails],
        row: Any,
    ) -> ColumnElement[Any]:
        statement = self._related_rows(relation, row)
        target = statement.column_descriptions[0]["entity"]
        order = list(statement._order_by_clauses)
        value = self.object(graphql_type, details, target)
        return self.sql.array(statement.order_by(None), value, order)

    def value_list(
        self, relation: ToMany, column: str, row: Any, graphql_type: Any
    ) -> ColumnElement[Any]:
        statement = self._related_rows(relation, row)
        target = statement.column_descriptions[0]["entity"]
        order = list(statement._order_by_clauses)
        value = self.scalar(getattr(target, column), graphql_type)
        return self.sql.array(statement.order_by(None), value, order, of_json=False)

    # --- connections ---------------------------------------------------------------------

    def connection(
        self,
        graphql_type: GraphQLObjectType,
        details: list[FieldDetails],
        rows: AnySelect,
        arguments: dict[str, Any],
        parent: ToMany | None,
    ) -> ColumnElement[Any]:
        """A connection over `rows` (a select of one entity, ordered): page, edges, count."""
        settings = self.compiler.settings
        page = Page.from_arguments(
            arguments.get("first"),
            arguments.get("after"),
            default=settings.default_page_size,
            maximum=settings.max_page_size,
        )
        entity = rows.column_descriptions[0]["entity"]
        order = list(rows._order_by_clauses)
        row_number = func.row_number().over(order_by=order).label("row_number")
        ranked = rows.order_by(None).add_columns(row_number).subquery()
        node_row = aliased(entity, ranked)
        window = (
            select(node_row)
            .select_from(ranked)
            .where(
                ranked.c.row_number > page.offset,
                ranked.c.row_number <= page.offset + page.first + 1,
            )
        )
        collected = self.subfields(graphql_type, details)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, field_details in collected.items():
            name = field_details[0].node.name.value
            if name == "__typename":
                pairs.append((key, self.sql.string(graphql_type.name)))
            elif name == "totalCount":
                counted = select(func.count()).select_from(rows.order_by(None).subquery())
                pairs.append((key, counted.scalar_subquery()))
            elif name == "edges":
                pairs.append(
                    (key, self._edges(graphql_type, field_details, window, ranked, node_row, page))
                )
            elif name == "pageInfo":
                pairs.append((key, self._page_info(graphql_type, field_details, ranked, page)))
            else:
                raise NotCompiled(f"{graphql_type.name}.{name}")
        return self.sql.object(pairs)

    def _edges(
        self,
        connection_type: GraphQLObjectType,
        details: list[FieldDetails],
        window: AnySelect,
        ranked: Any,
        node_row: Any,
        page: Page,
    ) -> ColumnElement[Any]:
        edge_type, _ = _unwrap(connection_type.fields["edges"].type)
        assert isinstance(edge_type, GraphQLObjectType)
        node_type, _ = _unwrap(edge_type.fields["node"].type)
        assert isinstance(node_type, GraphQLObjectType)
        collected = self.subfields(edge_type, details)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, field_details in collected.items():
            name = field_details[0].node.name.value
            if name == "__typename":
                pairs.append((key, self.sql.string(edge_type.name)))
            elif name == "cursor":
                pairs.append((key, self.sql.cursor(ranked.c.row_number - 1)))
            elif name == "node":
                pairs.append((key, self.object(node_type, field_details, node_row)))
            else:
                raise NotCompiled(f"{edge_type.name}.{name}")
        on_page = window.where(ranked.c.row_number <= page.offset + page.first)
        return self.sql.array(on_page, self.sql.object(pairs), [ranked.c.row_number])

    def _page_info(
        self,
        connection_type: GraphQLObjectType,
        details: list[FieldDetails],
        ranked: Any,
        page: Page,
    ) -> ColumnElement[Any]:
        info_type, _ = _unwrap(connection_type.fields["pageInfo"].type)
        assert isinstance(info_type, GraphQLObjectType)
        # How many rows follow the offset, up to one past the page: that is all it takes.
        ahead = (
            select(func.count().label("ahead"))
            .where(
                ranked.c.row_number > page.offset,
                ranked.c.row_number <= page.offset + page.first + 1,
            )
            .subquery()
        )
        collected = self.subfields(info_type, details)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, field_details in collected.items():
            name = field_details[0].node.name.value
            if name == "__typename":
                value: ColumnElement[Any] = self.sql.string(info_type.name)
            elif name == "hasNextPage":
                value = self.sql.boolean(ahead.c.ahead > page.first)
            elif name == "hasPreviousPage":
                value = self.sql.boolean(literal(page.offset > 0))
            elif name == "startCursor":
                value = case((ahead.c.ahead > 0, literal(encode_cursor(page.offset))), else_=null())
                if page.first == 0:
                    value = null()
            elif name == "endCursor":
                last = case(
                    (ahead.c.ahead > page.first, page.offset + page.first - 1),
                    else_=page.offset + ahead.c.ahead - 1,
                )
                value = (
                    case((ahead.c.ahead > 0, self.sql.cursor(last)), else_=null())
                    if page.first > 0
                    else null()
                )
            else:
                raise NotCompiled(f"{info_type.name}.{name}")
            pairs.append((key, value))
        return self.sql.embed(select(self.sql.object(pairs)).select_from(ahead))


_MODELS_BY_TABLE = {_name(mapper.local_table): mapper.class_ for mapper in Base.registry.mappers}

_ROOT_LISTS = frozenset({"articles", "organizations", "persons", "statements", "votes"})

_ENUMS_BY_NAME = {
    enum_class.__name__: enum_class
    for enum_class in (
        m.ParagraphKind,
        m.PublicationStatus,
        m.CreditRole,
        m.OrganizationKind,
        m.StatementMedium,
        m.VoteStatus,
        m.VoteOutcome,
        m.VoteOption,
        m.WebhookEvent,
        m.DeliveryStatus,
    )
}
