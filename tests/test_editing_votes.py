"""Editor mutations on votes, and on the paragraphs that report votes and statements."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import bearer, graphql, issue_key

CREATE_VOTE = """
mutation($input: VoteCreateInput!) {
  voteCreate(input: $input) { vote { id motion status body { slug } } errors { field code } }
}
"""
REPORT_VOTE = """
mutation($id: ID!, $paragraph: ID!, $reports: Boolean!) {
  voteReportSet(id: $id, paragraphId: $paragraph, reports: $reports) { vote { id } errors { code } }
}
"""
DELETE_VOTE = """mutation($id: ID!) { voteDelete(id: $id) { deletedId errors { code } } }"""
CREATE_STATEMENT = """
mutation($speaker: ID!) {
  statementCreate(input: {speakerId: $speaker, medium: SPEECH}) { statement { id } errors { code } }
}
"""
REPORT_STATEMENT = """
mutation($id: ID!, $paragraph: ID!, $reports: Boolean!) {
  statementReportSet(id: $id, paragraphId: $paragraph, reports: $reports) {
    statement { reportedIn { id } } errors { code }
  }
}
"""
VOTES = """query { votes(filter: {body: "iraqi-council-of-representatives"}) { totalCount } }"""
STATEMENTS = """query { statements { totalCount } }"""
CONTEXT = """
query {
  organization(slug: "iraqi-council-of-representatives") { id }
  article(slug: "us-led-coalition-suspends-anti-isis-operations") { paragraphs { id } }
}
"""


@pytest.fixture
async def editor(fresh_database) -> dict[str, str]:
    return bearer((await issue_key(fresh_database.app, "editor")).secret)


async def edit(database, headers, query, variables=None) -> dict[str, Any]:
    return await graphql(database.client, query, variables, headers=headers)


async def council_and_paragraph(database, headers) -> tuple[str, str]:
    data = await edit(database, headers, CONTEXT)
    return data["organization"]["id"], data["article"]["paragraphs"][10]["id"]


async def new_vote(database, headers, council) -> str:
    data = await edit(
        database,
        headers,
        CREATE_VOTE,
        {"input": {"bodyId": council, "motion": "A budget", "status": "SCHEDULED"}},
    )
    assert data["voteCreate"]["errors"] == []
    vote_id: str = data["voteCreate"]["vote"]["id"]
    return vote_id


async def public_count(database, query, root) -> int:
    count: int = (await graphql(database.client, query))[root]["totalCount"]
    return count


async def test_a_new_vote_is_public_once_a_published_paragraph_reports_it(fresh_database, editor):
    council, paragraph = await council_and_paragraph(fresh_database, editor)
    before = await public_count(fresh_database, VOTES, "votes")
    vote_id = await new_vote(fresh_database, editor, council)
    hidden = await public_count(fresh_database, VOTES, "votes")

    await edit(
        fresh_database,
        editor,
        REPORT_VOTE,
        {"id": vote_id, "paragraph": paragraph, "reports": True},
    )

    assert (hidden, await public_count(fresh_database, VOTES, "votes")) == (before, before + 1)


async def test_only_a_held_vote_has_an_outcome(fresh_database, editor):
    council, _ = await council_and_paragraph(fresh_database, editor)

    data = await edit(
        fresh_database,
        editor,
        CREATE_VOTE,
        {
            "input": {
                "bodyId": council,
                "motion": "A budget",
                "status": "SCHEDULED",
                "outcome": "APPROVED",
            }
        },
    )

    assert data["voteCreate"] == {"vote": None, "errors": [{"field": "outcome", "code": "INVALID"}]}


async def test_a_deleted_vote_is_gone(fresh_database, editor):
    council, _ = await council_and_paragraph(fresh_database, editor)
    vote_id = await new_vote(fresh_database, editor, council)

    data = await edit(fresh_database, editor, DELETE_VOTE, {"id": vote_id})

    assert data["voteDelete"] == {"deletedId": vote_id, "errors": []}


async def test_a_statement_report_makes_a_statement_public_and_removing_it_hides_it(
    fresh_database, editor
):
    council, paragraph = await council_and_paragraph(fresh_database, editor)
    created = await edit(fresh_database, editor, CREATE_STATEMENT, {"speaker": council})
    statement_id = created["statementCreate"]["statement"]["id"]
    before = await public_count(fresh_database, STATEMENTS, "statements")
    variables = {"id": statement_id, "paragraph": paragraph}

    reported = await edit(fresh_database, editor, REPORT_STATEMENT, {**variables, "reports": True})
    shown = await public_count(fresh_database, STATEMENTS, "statements")
    await edit(fresh_database, editor, REPORT_STATEMENT, {**variables, "reports": False})

    assert reported["statementReportSet"]["statement"]["reportedIn"] == [{"id": paragraph}]
    assert shown == before + 1
    assert await public_count(fresh_database, STATEMENTS, "statements") == before
