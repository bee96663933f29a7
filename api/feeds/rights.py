"""The one place that decides whether a caller receives an article's full text."""

from __future__ import annotations

from db.models import Article
from db.visibility import Role, Viewer


def full_text_allowed(viewer: Viewer, article: Article) -> bool:
    """Whether `viewer` gets `article`'s paragraphs in feeds and ninjs, not just its headline.

    The hook for article rights: once articles carry them, a partner gets the full text only
    of articles it may republish, and headline, standfirst and link otherwise. Until then
    every article a caller may see is served whole, as GraphQL serves its paragraphs.
    """
    return True


def change_feed_allowed(viewer: Viewer) -> bool:
    """Whether `viewer` may read the change feed (GET /changes): partners and editors.

    The public reads feeds and GraphQL instead; the log is a syndication service, and it
    names withdrawn and deleted articles, which the public's other paths no longer show.
    """
    return viewer.role in (Role.PARTNER, Role.EDITOR)
