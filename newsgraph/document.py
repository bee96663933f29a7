"""The article document format: one article and every record it supports, read from YAML."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from db.models import (
    CreditRole,
    OrganizationKind,
    ParagraphKind,
    StatementMedium,
    VoteOption,
    VoteOutcome,
    VoteStatus,
)
from newsgraph.names import normalize_name

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200)]
Position = Annotated[int, Field(ge=1, description="1 for the article's first paragraph.")]
Offset = Annotated[int, Field(ge=0, description="Code-point offset into the paragraph text.")]
# Text as written: never stripped or normalized, or the spans would stop matching.
Words = Annotated[str, StringConstraints(min_length=1)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")]


class _Record(BaseModel):
    # A misspelt field must fail loudly rather than silently drop what it held.
    model_config = ConfigDict(extra="forbid")


def _exactly_one(record: BaseModel, *fields: str) -> None:
    given = [name for name in fields if getattr(record, name) is not None]
    if len(given) != 1:
        raise ValueError(
            f"give exactly one of {', '.join(fields)}; got {', '.join(given) or 'none'}"
        )


class ParagraphRecord(_Record):
    position: Position
    kind: ParagraphKind
    text: Words


class CreditRecord(_Record):
    person: Slug
    role: CreditRole


class RightsRecord(_Record):
    """Who owns the article and what partners may do with it."""

    copyright_holder: str | None = Field(default=None, description="As the publisher states it.")
    licence: str | None = Field(default=None, description="Usage terms: an SPDX id, URL or words.")
    partners_may_republish: bool = Field(
        default=False, description="Partners get the full text only when this is true."
    )


class ArticleRecord(_Record):
    slug: Slug
    headline: Words
    standfirst: str | None = None
    dateline: str | None = Field(default=None, description="The place the story was filed from.")
    publisher: Slug | None = Field(default=None, description="Organization key.")
    published_at: AwareDatetime | None = None
    url: Url | None = None
    language: Language = "en"
    credits: list[CreditRecord] = []
    rights: RightsRecord = Field(default_factory=RightsRecord)
    paragraphs: list[ParagraphRecord] = Field(min_length=1)

    @field_validator("paragraphs")
    @classmethod
    def _positions_run_from_one(cls, paragraphs: list[ParagraphRecord]) -> list[ParagraphRecord]:
        for index, paragraph in enumerate(paragraphs, start=1):
            if paragraph.position != index:
                raise ValueError(
                    f"paragraphs[{index - 1}] has position {paragraph.position}, expected {index}:"
                    " positions run 1, 2, 3, … in list order"
                )
        return paragraphs


class RelatedArticleRecord(_Record):
    """An article known only by its headline: stored without a body, never with an invented one."""

    slug: Slug
    headline: Words
    url: Url | None = None
    publisher: Slug | None = Field(default=None, description="Organization key.")


class RelatedLinkRecord(_Record):
    anchor_text: Words = Field(description="The link's words as written.")
    paragraph: Position | None = Field(default=None, description="The paragraph holding the link.")
    target: RelatedArticleRecord


class OrganizationRecord(_Record):
    slug: Slug
    name: Words
    kind: OrganizationKind
    aliases: list[Words] = Field(default=[], description="Other names, as the text writes them.")
    parent: Slug | None = Field(default=None, description="Organization key.")


class MembershipRecord(_Record):
    organization: Slug
    role: str | None = None
    start_on: date | None = None
    end_on: date | None = None

    @model_validator(mode="after")
    def _dates_ordered(self) -> Self:
        if self.start_on and self.end_on and self.start_on > self.end_on:
            raise ValueError(f"start_on {self.start_on} is after end_on {self.end_on}")
        return self


class PersonRecord(_Record):
    slug: Slug
    name: Words
    aliases: list[Words] = Field(default=[], description="Other names, as the text writes them.")
    memberships: list[MembershipRecord] = []


class _Span(_Record):
    """Words in one paragraph: text == paragraph.text[start:end], code points, end exclusive.

    Leave start and end out and validation finds the words, if they occur once in the paragraph.
    """

    paragraph: Position
    text: Words
    start: Offset | None = None
    end: Offset | None = None

    @property
    def offsets(self) -> tuple[int, int]:
        if self.start is None or self.end is None:
            raise ValueError(f"span {self.text!r} is not located: validate its document first")
        return self.start, self.end


class QuoteRecord(_Span):
    """A speaker's exact words: the characters between the quotation marks, marks excluded."""


class MentionRecord(_Span):
    person: Slug | None = None
    organization: Slug | None = None

    @model_validator(mode="after")
    def _one_entity(self) -> Self:
        _exactly_one(self, "person", "organization")
        return self


class SpeakerRecord(_Record):
    person: Slug | None = None
    organization: Slug | None = None

    @model_validator(mode="after")
    def _one_speaker(self) -> Self:
        _exactly_one(self, "person", "organization")
        return self


class StatementRecord(_Record):
    speaker: SpeakerRecord
    issued_on: date | None = None
    issued_on_text: str | None = Field(default=None, description='As written: "on Sunday".')
    medium: StatementMedium
    summary: str | None = Field(default=None, description="What was said, in our own words.")
    quotes: list[QuoteRecord] = []
    reported_in: list[Position] = Field(
        default=[], description="Paragraphs that report the statement without quoting it."
    )


class VotePositionRecord(_Record):
    option: VoteOption
    group_name: Words | None = Field(default=None, description="A bloc named only in words.")
    organization: Slug | None = None
    person: Slug | None = None
    voter_count: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one_holder(self) -> Self:
        _exactly_one(self, "group_name", "organization", "person")
        return self


class VoteRecord(_Record):
    key: Slug = Field(description="Names the vote inside this document, for follow_up.")
    body: Slug = Field(description="Organization key of the voting body.")
    motion: Words
    held_on: date | None = Field(default=None, description="Date held, or scheduled for.")
    held_on_text: str | None = Field(default=None, description='As written: "late on Sunday".')
    status: VoteStatus
    outcome: VoteOutcome | None = None
    positions: list[VotePositionRecord] = []
    follow_up: Slug | None = Field(
        default=None, description="Key of the vote that follows this one."
    )
    reported_in: list[Position] = Field(default=[], description="Paragraphs that report the vote.")

    @model_validator(mode="after")
    def _outcome_only_once_held(self) -> Self:
        if self.outcome is not None and self.status is not VoteStatus.HELD:
            raise ValueError(
                f"a {self.status.value} vote has no outcome yet; got {self.outcome.value}"
            )
        return self


class ProvenanceRecord(_Record):
    """Who made the records: an editor (no extractor) or an extractor with a confidence."""

    extracted_by: str | None = Field(default=None, description="Extractor name and version.")
    confidence: float | None = Field(default=None, ge=0, le=1)
    verified: bool = False

    @model_validator(mode="after")
    def _confidence_needs_extractor(self) -> Self:
        if self.confidence is not None and self.extracted_by is None:
            raise ValueError(
                "confidence belongs to an extractor: set extracted_by, or drop confidence"
            )
        return self


class ArticleDocument(_Record):
    article: ArticleRecord
    related_links: list[RelatedLinkRecord] = []
    organizations: list[OrganizationRecord] = []
    persons: list[PersonRecord] = []
    statements: list[StatementRecord] = []
    votes: list[VoteRecord] = []
    mentions: list[MentionRecord] = []
    provenance: ProvenanceRecord = Field(default_factory=ProvenanceRecord)
    notes: str | None = Field(
        default=None, description="Why the document says what it says where the text is silent."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = _Consistency(self).problems()
        if problems:
            raise DocumentProblems(problems)
        return self

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the validated document: equal content, equal hash."""
        return content_hash_of(self.model_dump(mode="json"))


def content_hash_of(dumped: dict[str, Any]) -> str:
    """ArticleDocument.content_hash, from the document's `model_dump(mode="json")`."""
    canonical = json.dumps(dumped, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class DocumentProblems(ValueError):
    """Everything wrong between a document's parts, each problem prefixed with its path."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class _Consistency:
    """Checks what field types cannot: references resolve, spans match, nothing is listed twice.

    Spans given without offsets are located here, so a valid document's spans all have them.
    """

    def __init__(self, document: ArticleDocument) -> None:
        self._document = document
        self._problems: list[str] = []
        self._paragraph_texts = {p.position: p.text for p in document.article.paragraphs}
        self._organizations = self._keys("organizations", "slug", document.organizations)
        self._persons = self._keys("persons", "slug", document.persons)
        self._votes = self._keys("votes", "key", document.votes)

    def problems(self) -> list[str]:
        self._check_article()
        self._check_related_links()
        self._check_organizations()
        self._check_persons()
        self._check_statements()
        self._check_votes()
        self._check_mentions()
        return self._problems

    def _problem(self, path: str, message: str) -> None:
        self._problems.append(f"{path}: {message}")

    def _keys(self, section: str, field: str, records: Sequence[BaseModel]) -> set[str]:
        keys: set[str] = set()
        for index, record in enumerate(records):
            key = getattr(record, field)
            if key in keys:
                self._problem(f"{section}[{index}].{field}", f"{key!r} is listed twice")
            keys.add(key)
        return keys

    def _refer(self, path: str, key: str | None, known: set[str], kind: str) -> None:
        if key is not None and key not in known:
            self._problem(path, f"unknown {kind} {key!r}: list it under {kind}s")

    def _organization(self, path: str, key: str | None) -> None:
        self._refer(path, key, self._organizations, "organization")

    def _person(self, path: str, key: str | None) -> None:
        self._refer(path, key, self._persons, "person")

    def _paragraph(self, path: str, position: int) -> bool:
        if position in self._paragraph_texts:
            return True
        self._problem(
            path, f"no paragraph {position}; the article has {len(self._paragraph_texts)}"
        )
        return False

    def _no_repeats(self, path: str, items: Iterable[Hashable], what: str) -> None:
        seen: set[Hashable] = set()
        for item in items:
            if item in seen:
                self._problem(path, f"{what} {item!r} is listed twice")
            seen.add(item)

    def _reports(self, path: str, positions: list[int]) -> None:
        for index, position in enumerate(positions):
            self._paragraph(f"{path}[{index}]", position)
        self._no_repeats(path, positions, "paragraph")

    def _locate(self, path: str, span: _Span) -> None:
        if not self._paragraph(f"{path}.paragraph", span.paragraph):
            return
        text = self._paragraph_texts[span.paragraph]
        found = _occurrences(text, span.text)
        starts = ", ".join(map(str, found))
        where = f"paragraph {span.paragraph}"
        if span.start is None and span.end is None:
            if len(found) == 1:
                span.start, span.end = found[0], found[0] + len(span.text)
            elif found:
                self._problem(
                    f"{path}.text",
                    f"{span.text!r} occurs {len(found)} times in {where} (starts {starts});"
                    " give start and end",
                )
            else:
                self._problem(f"{path}.text", f"{span.text!r} does not occur in {where}")
        elif span.start is None or span.end is None:
            self._problem(path, "give both start and end, or neither")
        elif text[span.start : span.end] != span.text:
            hint = f"the words start at {starts}" if found else f"they do not occur in {where}"
            self._problem(
                path,
                f"text {span.text!r} != {where} text[{span.start}:{span.end}]"
                f" {text[span.start : span.end]!r}; {hint}",
            )

    def _check_article(self) -> None:
        article = self._document.article
        self._organization("article.publisher", article.publisher)
        for index, credit in enumerate(article.credits):
            self._person(f"article.credits[{index}].person", credit.person)
        credited = ((credit.person, credit.role.value) for credit in article.credits)
        self._no_repeats("article.credits", credited, "credit")

    def _check_related_links(self) -> None:
        article = self._document.article
        for index, link in enumerate(self._document.related_links):
            path = f"related_links[{index}]"
            if (
                link.paragraph is not None
                and self._paragraph(f"{path}.paragraph", link.paragraph)
                and link.anchor_text not in self._paragraph_texts[link.paragraph]
            ):
                self._problem(
                    f"{path}.anchor_text",
                    f"{link.anchor_text!r} does not occur in paragraph {link.paragraph}",
                )
            if link.target.slug == article.slug:
                self._problem(f"{path}.target.slug", "an article cannot link to itself")
            if link.target.url is not None and link.target.url == article.url:
                self._problem(f"{path}.target.url", "an article cannot link to itself")
            self._organization(f"{path}.target.publisher", link.target.publisher)
        targets = (link.target.slug for link in self._document.related_links)
        self._no_repeats("related_links", targets, "target")

    def _check_organizations(self) -> None:
        parents = {o.slug: o.parent for o in self._document.organizations}
        for index, organization in enumerate(self._document.organizations):
            path = f"organizations[{index}]"
            self._no_repeats(f"{path}.aliases", map(normalize_name, organization.aliases), "alias")
            self._organization(f"{path}.parent", organization.parent)
            ancestor, seen = organization.parent, {organization.slug}
            while ancestor is not None and ancestor not in seen:
                seen.add(ancestor)
                ancestor = parents.get(ancestor)
            if ancestor is not None:
                self._problem(f"{path}.parent", f"{organization.slug!r} would be its own ancestor")

    def _check_persons(self) -> None:
        for index, person in enumerate(self._document.persons):
            path = f"persons[{index}]"
            self._no_repeats(f"{path}.aliases", map(normalize_name, person.aliases), "alias")
            for number, membership in enumerate(person.memberships):
                self._organization(
                    f"{path}.memberships[{number}].organization", membership.organization
                )
            self._no_repeats(
                f"{path}.memberships",
                ((m.organization, m.role, m.start_on, m.end_on) for m in person.memberships),
                "membership",
            )

    def _check_statements(self) -> None:
        for index, statement in enumerate(self._document.statements):
            path = f"statements[{index}]"
            self._person(f"{path}.speaker.person", statement.speaker.person)
            self._organization(f"{path}.speaker.organization", statement.speaker.organization)
            for number, quote in enumerate(statement.quotes):
                self._locate(f"{path}.quotes[{number}]", quote)
            self._reports(f"{path}.reported_in", statement.reported_in)
            quoted_in = {quote.paragraph for quote in statement.quotes}
            for position in sorted(quoted_in.intersection(statement.reported_in)):
                self._problem(
                    f"{path}.reported_in",
                    f"paragraph {position} quotes the statement; reported_in lists paragraphs"
                    " that report it without quoting",
                )
            if not statement.quotes and not statement.reported_in:
                self._problem(path, "give the quotes or reported_in paragraphs it comes from")
        quote_starts = (
            (quote.paragraph, quote.start)
            for statement in self._document.statements
            for quote in statement.quotes
        )
        self._no_repeats("statements", quote_starts, "quote (paragraph, start)")

    def _check_votes(self) -> None:
        for index, vote in enumerate(self._document.votes):
            path = f"votes[{index}]"
            self._organization(f"{path}.body", vote.body)
            for number, position in enumerate(vote.positions):
                self._organization(
                    f"{path}.positions[{number}].organization", position.organization
                )
                self._person(f"{path}.positions[{number}].person", position.person)
            voters = (position.person for position in vote.positions if position.person)
            self._no_repeats(f"{path}.positions", voters, "person")
            if vote.follow_up == vote.key:
                self._problem(f"{path}.follow_up", "a vote cannot follow up itself")
            self._refer(f"{path}.follow_up", vote.follow_up, self._votes, "vote")
            self._reports(f"{path}.reported_in", vote.reported_in)
            if not vote.reported_in:
                self._problem(f"{path}.reported_in", "give the paragraphs that report the vote")

    def _check_mentions(self) -> None:
        for index, mention in enumerate(self._document.mentions):
            path = f"mentions[{index}]"
            self._locate(path, mention)
            self._person(f"{path}.person", mention.person)
            self._organization(f"{path}.organization", mention.organization)
        spans = (
            (m.paragraph, m.start, m.end, m.person or m.organization)
            for m in self._document.mentions
        )
        self._no_repeats("mentions", spans, "mention")


def _occurrences(text: str, words: str) -> list[int]:
    starts, start = [], text.find(words)
    while start != -1:
        starts.append(start)
        start = text.find(words, start + 1)
    return starts


class DocumentError(Exception):
    """An article document that is not YAML or breaks the schema, with every problem found."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{path}: invalid article document\n{listed}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load, except that a key written twice is an error instead of a silent overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        keys: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def load_document(path: str | Path) -> ArticleDocument:
    """Read and validate one article document; raise DocumentError listing what is wrong."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise DocumentError(path, [f"malformed YAML: {error}"]) from error
    if not isinstance(data, dict):
        raise DocumentError(path, [f"expected a mapping at the top, got {type(data).__name__}"])
    try:
        return ArticleDocument.model_validate(data)
    except ValidationError as error:
        raise DocumentError(path, _readable(error.errors(include_url=False))) from error


def _readable(errors: Iterable[ErrorDetails]) -> list[str]:
    problems: list[str] = []
    for error in errors:
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, DocumentProblems):
            problems.extend(cause.problems)
            continue
        path = _path(error["loc"]) or "document"
        if error["type"] == "extra_forbidden":
            problems.append(f"{path}: unknown field")
        elif isinstance(cause, ValueError):
            problems.append(f"{path}: {cause}")
        else:
            problems.append(f"{path}: {error['msg']}")
    return problems


def _path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path
