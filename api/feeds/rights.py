"""Access rules the feeds apply beyond what the reader shows: who may read the change feed."""

from __future__ import annotations

from db.visibility import Role, Viewer


def change_feed_allowed(viewer: Viewer) -> bool:
    """Whether `viewer` may read the change feed (GET /changes): partners and editors.

    The public reads feeds and GraphQL instead; the log is a syndication service, and it
    names withdrawn and deleted articles, which the public's other paths no longer show.
    """
    return viewer.role in (Role.PARTNER, Role.EDITOR)
