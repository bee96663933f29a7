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


# Vote positions

HELD_VOTE = """
query {
  votes(filter: {body: "iraqi-council-of-representatives", status: HELD}) {
    edges { node { id positions { id option groupName voterCount person { slug } } } }
  }
}
"""
CREATE_PERSON = """
mutation { personCreate(input: {slug: "jane-roe", name: "Jane Roe"}) { person { id } } }
"""
PERSON = """query { person(slug: "jane-roe") { slug } }"""
CREATE_POSITION = """
mutation($input: VotePositionCreateInput!) {
  votePositionCreate(input: $input) {
    votePosition { id option voterCount person { slug } } errors { field code }
  }
}
"""
UPDATE_POSITION = """
mutation($id: ID!, $input: VotePositionUpdateInput!) {
  votePositionUpdate(id: $id, input: $input) {
    votePosition { option groupName voterCount person { slug } } errors { field code }
  }
}
"""
DELETE_POSITION = """
mutation($id: ID!) { votePositionDelete(id: $id) { deletedId errors { code } } }
"""
REVISIONS = """query($of: ID!) { revisions(of: $of) { edges { node { action changes } } } }"""


async def held_vote(database, headers=None) -> dict[str, Any]:
    data = await graphql(database.client, HELD_VOTE, headers=headers)
    [edge] = data["votes"]["edges"]
    vote: dict[str, Any] = edge["node"]
    return vote


async def jane(database, headers) -> str:
    person_id: str = (await edit(database, headers, CREATE_PERSON))["personCreate"]["person"]["id"]
    return person_id


async def add_position(database, headers, **input: Any) -> dict[str, Any]:
    data = await edit(database, headers, CREATE_POSITION, {"input": input})
    payload: dict[str, Any] = data["votePositionCreate"]
    return payload


async def revisions_of(database, headers, global_id) -> list[dict[str, Any]]:
    data = await edit(database, headers, REVISIONS, {"of": global_id})
    return [edge["node"] for edge in data["revisions"]["edges"]]


async def test_a_persons_position_in_a_reported_vote_makes_them_public_until_removed(
    fresh_database, editor
):
    vote = await held_vote(fresh_database, editor)
    person = await jane(fresh_database, editor)
    hidden = (await graphql(fresh_database.client, PERSON))["person"]

    created = await add_position(
        fresh_database, editor, voteId=vote["id"], option="OPPOSE", personId=person
    )
    shown = (await graphql(fresh_database.client, PERSON))["person"]
    public_positions = (await held_vote(fresh_database))["positions"]
    position_id = created["votePosition"]["id"]
    removed = await edit(fresh_database, editor, DELETE_POSITION, {"id": position_id})

    assert (hidden, shown) == (None, {"slug": "jane-roe"})
    assert public_positions[-1]["id"] == position_id
    assert removed["votePositionDelete"] == {"deletedId": position_id, "errors": []}
    assert (await graphql(fresh_database.client, PERSON))["person"] is None
    assert [r["action"] for r in await revisions_of(fresh_database, editor, position_id)] == [
        "CREATE",
        "DELETE",
    ]


async def test_a_position_placed_first_comes_first(fresh_database, editor):
    vote = await held_vote(fresh_database, editor)

    created = await add_position(
        fresh_database,
        editor,
        voteId=vote["id"],
        option="ABSTAIN",
        groupName="Independents",
        voterCount=4,
        position=1,
    )

    positions = (await held_vote(fresh_database, editor))["positions"]
    assert [p["id"] for p in positions] == [
        created["votePosition"]["id"],
        *(p["id"] for p in vote["positions"]),
    ]


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({"option": "SUPPORT"}, (None, "REQUIRED")),
        ({"option": "SUPPORT", "groupName": "Bloc", "personId": "jane"}, ("personId", "INVALID")),
        ({"option": "SUPPORT", "groupName": "  "}, ("groupName", "REQUIRED")),
        ({"option": "SUPPORT", "groupName": "Bloc", "voterCount": -1}, ("voterCount", "INVALID")),
        ({"option": "ABSENT", "personId": "counted"}, ("personId", "CONFLICT")),
        ({"option": "SUPPORT", "personId": "UGVyc29uOjk5OTk5"}, ("personId", "NOT_FOUND")),
        ({"option": "SUPPORT", "organizationId": "jane"}, ("organizationId", "INVALID")),
        (
            {"option": "SUPPORT", "groupName": "Bloc", "voteId": "Vm90ZTo5OTk5OQ=="},
            ("voteId", "NOT_FOUND"),
        ),
        ({"option": "SUPPORT", "groupName": "Bloc", "position": 9}, ("position", "INVALID")),
    ],
    ids=[
        "nobody",
        "two-voters",
        "blank-group",
        "negative-count",
        "person-twice",
        "unknown-person",
        "person-as-organization",
        "unknown-vote",
        "past-the-end",
    ],
)
async def test_a_position_that_cannot_be_is_refused_and_nothing_is_written(
    fresh_database, editor, input, expected
):
    vote = await held_vote(fresh_database, editor)
    person = await jane(fresh_database, editor)
    counted = await add_position(
        fresh_database, editor, voteId=vote["id"], option="SUPPORT", personId=person
    )
    stand_ins = {"jane": person, "counted": person}

    refused = await add_position(
        fresh_database,
        editor,
        **{"voteId": vote["id"], **{k: stand_ins.get(v, v) for k, v in input.items()}},
    )

    assert refused["votePosition"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [expected]
    positions = (await held_vote(fresh_database, editor))["positions"]
    assert [p["id"] for p in positions] == [
        *(p["id"] for p in vote["positions"]),
        counted["votePosition"]["id"],
    ]


async def test_changing_a_position_records_what_changed(fresh_database, editor):
    first = (await held_vote(fresh_database, editor))["positions"][0]

    data = await edit(
        fresh_database,
        editor,
        UPDATE_POSITION,
        {"id": first["id"], "input": {"option": "ABSTAIN", "voterCount": 12}},
    )

    assert data["votePositionUpdate"] == {
        "votePosition": {
            "option": "ABSTAIN",
            "groupName": first["groupName"],
            "voterCount": 12,
            "person": None,
        },
        "errors": [],
    }
    [revision] = await revisions_of(fresh_database, editor, first["id"])
    assert revision == {
        "action": "UPDATE",
        "changes": {"option": ["boycott", "abstain"], "voter_count": [None, 12]},
    }


async def test_naming_a_new_voter_replaces_the_old_one(fresh_database, editor):
    first = (await held_vote(fresh_database, editor))["positions"][0]
    person = await jane(fresh_database, editor)

    data = await edit(
        fresh_database, editor, UPDATE_POSITION, {"id": first["id"], "input": {"personId": person}}
    )

    assert data["votePositionUpdate"]["votePosition"] == {
        "option": "BOYCOTT",
        "groupName": None,
        "voterCount": None,
        "person": {"slug": "jane-roe"},
    }
    assert (await graphql(fresh_database.client, PERSON))["person"] == {"slug": "jane-roe"}


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({"option": None}, ("option", "REQUIRED")),
        ({"groupName": None}, (None, "REQUIRED")),
        ({"personId": "QXJ0aWNsZTox"}, ("personId", "INVALID")),
    ],
    ids=["no-option", "no-voter", "not-a-person"],
)
async def test_a_change_that_cannot_be_is_refused(fresh_database, editor, input, expected):
    first = (await held_vote(fresh_database, editor))["positions"][0]

    data = await edit(fresh_database, editor, UPDATE_POSITION, {"id": first["id"], "input": input})

    assert data["votePositionUpdate"]["votePosition"] is None
    assert [(e["field"], e["code"]) for e in data["votePositionUpdate"]["errors"]] == [expected]
    assert (await held_vote(fresh_database, editor))["positions"][0] == first
    assert await revisions_of(fresh_database, editor, first["id"]) == []


async def test_deleting_an_unknown_position_is_not_found(fresh_database, editor):
    data = await edit(fresh_database, editor, DELETE_POSITION, {"id": "Vm90ZVBvc2l0aW9uOjk5OTk5"})

    assert data["votePositionDelete"] == {"deletedId": None, "errors": [{"code": "NOT_FOUND"}]}
