"""The GraphiQL page browsers get at /graphql, opened on the query newsgraph exists for."""

from __future__ import annotations

import html
import json
import re

from strawberry.http.ides import get_graphql_ide_html

HEADLINE_QUERY = """\
query CoalitionStatements {
  organization(name: "CJTF-OIR") {
    name
    aliases
    statements(first: 10) {
      totalCount
      edges {
        node {
          issuedOn
          quotes { text paragraph { position text article { headline } } }
          articles { headline relatedArticles { headline url } }
        }
      }
    }
  }
}
"""

# Strawberry's page keeps its welcome text in this one JavaScript constant and opens on it
# unless the URL carries a `q` parameter; swapping the constant changes nothing else.
_EXAMPLE_QUERY = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)


def render_graphiql(default_query: str = HEADLINE_QUERY, title: str = "newsgraph") -> str:
    """Strawberry's GraphiQL page with `default_query` in the editor."""
    template = get_graphql_ide_html(graphql_ide="graphiql")
    if not _EXAMPLE_QUERY.search(template):
        # A Strawberry upgrade changed the page; fail at startup, not with a silently empty editor.
        raise RuntimeError("Strawberry's GraphiQL page no longer defines EXAMPLE_QUERY")
    # A JSON string is a valid JavaScript literal; "</" is escaped so the text cannot end the
    # <script> element it sits in.
    literal = json.dumps(default_query).replace("</", "<\\/")
    page = _EXAMPLE_QUERY.sub(lambda _: f"const EXAMPLE_QUERY = {literal};", template, count=1)
    return _TITLE.sub(lambda _: f"<title>{html.escape(title)}</title>", page, count=1)
