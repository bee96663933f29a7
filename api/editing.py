"""The one place the editor-only rule for mutations lives, until access control fills it in."""

from __future__ import annotations

from strawberry.types import Info


def ensure_editor(info: Info) -> None:
    """Raise unless the request's viewer is an editor; every editor-only mutation calls this.

    Access control is another branch's work: until it lands everyone passes. When it does,
    this raises an authorization error (a top-level GraphQL error, as authorization
    failures are), and ingestArticle and statementVerify are editor-only with no other change.
    """
