"""Recognizing persons and organizations, linking them to known records, recording mentions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from db.entities import KnownEntity
from db.models import OrganizationKind
from newsgraph.document import ArticleDocument
from newsgraph.names import normalize_name

_WORD = r"[A-Z][\w’'-]*"
_CONNECTOR = r"(?:of|for|against|the|de)"
# "Combined Joint Task Force-Operation Inherent Resolve (CJTF-OIR)"
_ACRONYM_DEFINITION = re.compile(
    rf"(?:(?P<alias>[Tt]he (?:[\w’'-]+ ){{0,3}}[\w’'-]+), "
    rf"(?:formally|formerly|officially|collectively|also|widely) known as )?"
    rf"(?:the )?(?P<name>{_WORD}(?: (?:{_WORD}|{_CONNECTOR}|and))*? {_WORD})"
    rf" \((?P<acronym>[A-Z][A-Z0-9&-]{{1,15}})\)"
)
# Capitalized runs: "the US-led Coalition against the Islamic State", "Qasim Soleimani".
_NAME_RUN = re.compile(
    rf"(?<![\w’'-])(?P<the>[Tt]he )?(?P<name>(?:{_WORD}|[a-z]+-[A-Z][\w’'-]*|US-led)"
    rf"(?: (?:(?:{_CONNECTOR}) )*(?:{_WORD}|al-[A-Z][\w’'-]*))*)"
)
# "the Iraqi parliament", "the Baghdad government": a place and a lower-case institution.
_INSTITUTION = re.compile(
    r"\b[Tt]he (?P<name>[A-Z][\w’'-]+ (?P<head>parliament|government|army|military|cabinet"
    r"|presidency|judiciary|police))\b"
)
_ORGANIZATION_HEADS: dict[str, OrganizationKind] = {
    "coalition": OrganizationKind.MILITARY_COALITION,
    "force": OrganizationKind.MILITARY,
    "forces": OrganizationKind.MILITARY,
    "army": OrganizationKind.MILITARY,
    "government": OrganizationKind.GOVERNMENT,
    "ministry": OrganizationKind.GOVERNMENT_BODY,
    "council": OrganizationKind.LEGISLATURE,
    "parliament": OrganizationKind.LEGISLATURE,
    "assembly": OrganizationKind.LEGISLATURE,
    "party": OrganizationKind.POLITICAL_PARTY,
    "court": OrganizationKind.COURT,
    "hizbollah": OrganizationKind.MILITIA,
    "hezbollah": OrganizationKind.MILITIA,
    "brigades": OrganizationKind.MILITIA,
    "militias": OrganizationKind.MILITIA,
    "state": OrganizationKind.ARMED_GROUP,
    "agency": OrganizationKind.GOVERNMENT_BODY,
    "authority": OrganizationKind.GOVERNMENT_BODY,
    "department": OrganizationKind.GOVERNMENT_BODY,
    "embassy": OrganizationKind.GOVERNMENT_BODY,
    "organization": OrganizationKind.OTHER,
    "organisation": OrganizationKind.OTHER,
    "group": OrganizationKind.OTHER,
    "movement": OrganizationKind.POLITICAL_PARTY,
    "front": OrganizationKind.POLITICAL_PARTY,
    "bank": OrganizationKind.COMPANY,
    "office": OrganizationKind.GOVERNMENT_BODY,
    "company": OrganizationKind.COMPANY,
    "union": OrganizationKind.INTERNATIONAL_ORGANIZATION,
    "nations": OrganizationKind.INTERNATIONAL_ORGANIZATION,
    "committee": OrganizationKind.GOVERNMENT_BODY,
    "commission": OrganizationKind.GOVERNMENT_BODY,
    "news": OrganizationKind.NEWS_OUTLET,
    "military": OrganizationKind.MILITARY,
    "cabinet": OrganizationKind.GOVERNMENT,
    "presidency": OrganizationKind.GOVERNMENT,
    "police": OrganizationKind.GOVERNMENT_BODY,
    "judiciary": OrganizationKind.COURT,
}
# Words that start a sentence in capitals without naming anyone.
_NOT_NAMES = {
    "a", "an", "the", "in", "on", "at", "as", "but", "however", "read", "more", "another",
    "this", "that", "these", "those", "it", "he", "she", "they", "we", "our", "his", "her",
    "its", "their", "if", "when", "while", "after", "before", "editing", "reporting",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "mr", "mrs", "ms", "dr", "according", "meanwhile", "earlier",
    "later", "also", "separately",
}  # fmt: skip
_NATIONALITY = re.compile(r"^(?:[A-Z][a-z]+(?:ish|ian|ese|i|an|ic))$")
_ROLE_APPOSITION = re.compile(
    r"^, (?P<role>(?:[a-z-]+ ){0,2}?(?:head|leader|chief|spokesperson|spokesman|spokeswoman"
    r"|minister|president|commander|director|secretary|chairman|chairwoman|chair|founder"
    r"|member|speaker|envoy|ambassador))(?: of| for| at)? (?P<organization>[^,.;]+)"
)
# Titles written before a name belong to the sentence, not the name: "Mayor Lena Ortiz".
_TITLE = re.compile(
    r"^(?:(?:Prime |Deputy |Foreign |Defense |Defence |Interior )?Minister|President|Mayor"
    r"|Governor|Senator|General|Gen\.|Colonel|Col\.|Major|Captain|Sheikh|Dr\.?|Mr\.?|Mrs\.?"
    r"|Ms\.?|Judge|Councillor|Councilor|Professor|Prof\.|Spokesperson|Spokesman|Spokeswoman"
    r"|Chairman|Chairwoman|Commander) "
)
_ACRONYM = re.compile(r"^[A-Z]{3,6}$")
_POSSESSIVE = re.compile(r"[’']s$")


@dataclass
class Entity:
    """A person or organization the article names, with every name it uses for it."""

    key: str
    name: str
    is_person: bool
    organization_kind: OrganizationKind = OrganizationKind.OTHER
    aliases: list[str] = field(default_factory=list)
    known: bool = False
    memberships: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    def add_alias(self, alias: str) -> None:
        if normalize_name(alias) not in {normalize_name(name) for name in self.names()}:
            self.aliases.append(alias)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entity: Entity


_LEADING_THE = re.compile(r"^[Tt]he ")


# Names recur across paragraphs and articles: more than the re module's own cache holds.
@lru_cache(maxsize=16384)
def _whole_words(surface: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(surface)}(?![\w-])")


@lru_cache(maxsize=16384)
def _short_surface(name: str, is_person: bool) -> str | None:
    """The one capitalized word a name goes by once introduced: a surname, or a head word."""
    words = name.split()
    if len(words) < 2:
        return None
    short = words[-1].removeprefix("al-") if is_person else _head_word(name)
    return short if short and short[0].isupper() else None


def slugify(text: str) -> str:
    """A slug from any words: folded like a name, hyphens between the words."""
    words = re.findall(r"[a-z0-9]+", normalize_name(text).replace("'", ""))
    return "-".join(words)[:200].strip("-") or "unnamed"


_CONNECTORS = {"of", "for", "against", "on", "and", "de"}


@lru_cache(maxsize=16384)
def _head(name: str) -> str:
    """The noun a name is about: "Coalition" in "the US-led Coalition against the Islamic State"."""
    words = normalize_name(name).split()
    for index, word in enumerate(words):
        if word in _CONNECTORS and index > 0:
            words = words[:index]
            break
    return re.sub(r"'s$", "", words[-1]) if words else ""


@lru_cache(maxsize=16384)
def _head_word(name: str) -> str | None:
    """The head word as written: "Office" in "World Relief Office"."""
    head = _head(name)
    for word in name.split():
        if normalize_name(_POSSESSIVE.sub("", word)) == head:
            return _POSSESSIVE.sub("", word)
    return None


def _short_names(entity: Entity) -> set[str]:
    """The one-word references an entity may go by once introduced: head word, surname."""
    shorts = set()
    for name in entity.names():
        words = normalize_name(name).split()
        if len(words) < 2:
            continue
        if entity.is_person:
            shorts.update({words[-1], words[-1].removeprefix("al-")})
        else:
            shorts.add(_head(name))
    return shorts


class KnownNames:
    """Stored persons and organizations by slug and by name: what new text is linked to.

    One index serves a whole ingestion run. `remember` adds an entity, or updates it, as an
    article that names it goes in; `undo` takes back everything remembered since a `mark`,
    for articles that did not go in after all, and `settle` gives up the means to (once
    they are committed). Where two entities go by the same name, the one remembered first
    has it. `version` changes with every change.
    """

    def __init__(self, entities: Iterable[KnownEntity] = ()) -> None:
        self._by_slug: dict[str, KnownEntity] = {}
        self._rank: dict[str, int] = {}
        self._next_rank = 0
        self._slugs_by_name: dict[str, list[str]] = {}
        self._history: list[tuple[str, KnownEntity | None]] = []
        self.version = 0
        for entity in entities:
            self.remember(entity)
        self.settle()

    def __getstate__(self) -> dict[str, object]:
        # A copy sent to another process has nothing to undo.
        return {**self.__dict__, "_history": []}

    def __contains__(self, slug: str) -> bool:
        return slug in self._by_slug

    def get(self, slug: str) -> KnownEntity | None:
        return self._by_slug.get(slug)

    def named(self, normalized_name: str) -> KnownEntity | None:
        """The entity with this name or alias (already normalized), if any."""
        slugs = self._slugs_by_name.get(normalized_name)
        if not slugs:
            return None
        return self._by_slug[min(slugs, key=self._rank.__getitem__)]

    def remember(self, entity: KnownEntity) -> None:
        previous = self._by_slug.get(entity.slug)
        if previous != entity:
            self._history.append((entity.slug, previous))
            self._replace(entity.slug, previous, entity)

    def remember_document(self, document: ArticleDocument) -> None:
        """Remember the organizations and persons a saved document lists, as it lists them."""
        for organization in document.organizations:
            self.remember(
                KnownEntity(
                    organization.slug,
                    organization.name,
                    False,
                    tuple(organization.aliases),
                    organization.kind,
                )
            )
        for person in document.persons:
            self.remember(KnownEntity(person.slug, person.name, True, tuple(person.aliases)))

    def mark(self) -> int:
        """A point to `undo` back to."""
        return len(self._history)

    def settle(self) -> None:
        """Keep what is remembered for good: marks taken before now are no longer valid."""
        self._history.clear()

    def undo(self, mark: int) -> None:
        """Forget what was remembered since `mark`, newest first."""
        while len(self._history) > mark:
            slug, previous = self._history.pop()
            self._replace(slug, self._by_slug.get(slug), previous)

    def _replace(self, slug: str, old: KnownEntity | None, new: KnownEntity | None) -> None:
        self.version += 1
        if old is not None:
            for name in _normalized_names(old):
                self._slugs_by_name[name].remove(slug)
        if new is None:
            del self._by_slug[slug], self._rank[slug]
            return
        if slug not in self._rank:
            self._rank[slug] = self._next_rank
            self._next_rank += 1
        self._by_slug[slug] = new
        for name in _normalized_names(new):
            self._slugs_by_name.setdefault(name, []).append(slug)


def _normalized_names(entity: KnownEntity) -> set[str]:
    return {normalize_name(name) for name in (entity.name, *entity.aliases)}


class EntityIndex:
    """The entities of one article, learnt paragraph by paragraph and linked to known ones.

    A name or alias of a known record links to it (case, accents, apostrophes and a
    leading "the" do not count). A short reference such as "the Coalition" resolves to the
    entity introduced earlier whose name ends with the same head word.
    """

    def __init__(self, known: KnownNames | Iterable[KnownEntity] = ()) -> None:
        self._known = known if isinstance(known, KnownNames) else KnownNames(known)
        self.entities: list[Entity] = []
        self._by_name: dict[str, Entity] = {}

    def _register(self, entity: Entity, name: str) -> None:
        entity.add_alias(name)
        self._by_name.setdefault(normalize_name(name), entity)

    def find(self, name: str) -> Entity | None:
        """The article's entity with this name, an alias, or a head-word reference to it."""
        normalized = normalize_name(_POSSESSIVE.sub("", name))
        if normalized in self._by_name:
            return self._by_name[normalized]
        words = normalized.split()
        if len(words) == 1:
            # "the Coalition", "Muhandis": the latest entity of this article that goes by it,
            # before any stored one: another article's "the Council" is another council.
            for entity in reversed(self.entities):
                if words[0] in _short_names(entity):
                    return entity
        known = self._known.named(normalized)
        if known is not None:
            return self._adopt(known, name)
        return None

    def _adopt(self, known: KnownEntity, name: str) -> Entity:
        for entity in self.entities:
            if entity.key == known.slug:
                self._register(entity, name)
                return entity
        entity = Entity(
            key=known.slug,
            name=known.name,
            is_person=known.is_person,
            organization_kind=known.organization_kind,
            aliases=list(known.aliases),
            known=True,
        )
        self.entities.append(entity)
        for alias in entity.names():
            self._by_name.setdefault(normalize_name(alias), entity)
        self._register(entity, name)
        return entity

    def _free_key(self, name: str) -> str:
        key, number = slugify(name), 2
        # A new entity never takes a stored record's slug: that would silently merge them.
        while any(entity.key == key for entity in self.entities) or key in self._known:
            key, number = f"{slugify(name)}-{number}", number + 1
        return key

    def _create(self, name: str, is_person: bool, kind: OrganizationKind) -> Entity:
        key = self._free_key(name)
        entity = Entity(key=key, name=name, is_person=is_person, organization_kind=kind)
        self.entities.append(entity)
        self._by_name[normalize_name(name)] = entity
        return entity

    def learn(self, text: str) -> None:
        """Take in one paragraph: definitions first, then every capitalized name."""
        for match in _ACRONYM_DEFINITION.finditer(text):
            self._define(match["name"], match["acronym"], match["alias"])
        for match in _INSTITUTION.finditer(text):
            if self.find(match["name"]) is None:
                kind = _ORGANIZATION_HEADS.get(match["head"], OrganizationKind.GOVERNMENT)
                self._create(match["name"], False, kind).add_alias(f"the {match['name']}")
        introduced: list[tuple[Entity, str]] = []
        for match in _NAME_RUN.finditer(text):
            name = _TITLE.sub("", _POSSESSIVE.sub("", match["name"]))
            found = self.find(name)
            if found is not None:
                # Someone met before (in this text or a stored record) may have a role here:
                # each text states its own, and a new version must state them again.
                if found.is_person:
                    introduced.append((found, text[match.end() :]))
                continue
            if not self._is_name(name):
                continue
            head = _head(name)
            words = name.split()
            if head in _ORGANIZATION_HEADS and len(words) >= 2:
                entity = self._create(name, False, _ORGANIZATION_HEADS[head])
                if match["the"]:
                    entity.add_alias(f"the {name}")
            elif len(words) >= 2 and not match["the"] and not self._has_acronym(name):
                entity = self._create(name, True, OrganizationKind.OTHER)
            elif len(words) == 1 and _ACRONYM.match(name):
                entity = self._create(name, False, OrganizationKind.OTHER)
            else:
                continue
            introduced.append((entity, text[match.end() :]))
        # Roles wait for the whole paragraph: "head of Iran's Quds Force" names it after him.
        for entity, after in introduced:
            self._learn_role(entity, after)

    def learn_person(self, name: str) -> Entity:
        """A name the structure says is a person's, such as a credit line's."""
        name = _TITLE.sub("", name)
        return self.find(name) or self._create(name, True, OrganizationKind.OTHER)

    def learn_organization(self, name: str, kind: OrganizationKind) -> Entity:
        return self.find(name) or self._create(name, False, kind)

    @staticmethod
    def _has_acronym(name: str) -> bool:
        return any(word.isupper() and len(word) > 1 for word in name.split())

    @staticmethod
    def _is_name(name: str) -> bool:
        words = name.split()
        if normalize_name(_POSSESSIVE.sub("", words[0])) in _NOT_NAMES:
            return False
        return not (len(words) == 1 and _NATIONALITY.match(words[0]))

    def _define(self, name: str, acronym: str, alias: str | None) -> None:
        entity = self.find(acronym) or self.find(name)
        referred = self.find(alias) if alias else None
        if entity is None and referred is not None and not referred.known:
            # "the Coalition, formally known as …": the formal name replaces the short one.
            entity = referred
            entity.aliases.insert(0, entity.name)
            entity.name = name
            entity.key = self._free_key(name)
            entity.aliases = [
                a for a in entity.aliases if normalize_name(a) != normalize_name(name)
            ]
        if entity is None:
            head = _head(name)
            entity = self._create(
                name, False, _ORGANIZATION_HEADS.get(head, OrganizationKind.OTHER)
            )
        for extra in (acronym, alias):
            if extra:
                self._register(entity, extra)
        self._by_name.setdefault(normalize_name(name), entity)

    def _learn_role(self, person: Entity, after: str) -> None:
        if not person.is_person:
            return
        match = _ROLE_APPOSITION.match(after)
        if not match:
            return
        for mention in self.mentions(match["organization"]):
            if not mention.entity.is_person:
                person.memberships.append((mention.entity.key, match["role"]))
                return

    def mentions(self, text: str) -> list[Mention]:
        """Every name of a known entity in `text`, longest first, never overlapping."""
        surfaces: dict[str, Entity] = {}
        for entity in self.entities:
            for name in entity.names():
                surfaces.setdefault(_LEADING_THE.sub("", name), entity)
        # Once introduced, a person goes by a surname and a body by its head word, capitalized.
        for entity in self.entities:
            for name in entity.names():
                short = _short_surface(name, entity.is_person)
                if short:
                    surfaces.setdefault(short, entity)
        found: list[Mention] = []
        taken = [False] * len(text)
        present = [surface for surface in surfaces if surface in text]
        for surface in sorted(present, key=len, reverse=True):
            for match in _whole_words(surface).finditer(text):
                if any(taken[match.start() : match.end()]):
                    continue
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                found.append(Mention(match.start(), match.end(), surface, surfaces[surface]))
        return sorted(found, key=lambda mention: mention.start)
