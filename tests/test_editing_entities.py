"""Editor mutations on persons, organizations and memberships."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import bearer, graphql, issue_key

CREATE_PERSON = """
mutation($input: PersonCreateInput!) {
  personCreate(input: $input) { person { id slug name aliases } errors { field code } }
}
"""
UPDATE_PERSON = """
mutation($id: ID!, $input: PersonUpdateInput!) {
  personUpdate(id: $id, input: $input) { person { name aliases } errors { field code } }
}
"""
DELETE_PERSON = """mutation($id: ID!) { personDelete(id: $id) { deletedId errors { code } } }"""
CREATE_ORGANIZATION = """
mutation($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) { organization { id slug parent { slug } } errors { field code } }
}
"""
UPDATE_ORGANIZATION = """
mutation($id: ID!, $input: OrganizationUpdateInput!) {
  organizationUpdate(id: $id, input: $input) { organization { slug } errors { field code } }
}
"""
CREATE_MEMBERSHIP = """
mutation($input: MembershipCreateInput!) {
  membershipCreate(input: $input) {
    membership { id role person { slug } organization { slug } } errors { field code }
  }
}
"""
PERSON_BY_NAME = """query($name: String!) { person(name: $name) { slug } }"""
PERSON = """query($slug: String!) { person(slug: $slug) { slug } }"""
REVISIONS = """query($of: ID!) { revisions(of: $of) { edges { node { action changes } } } }"""
SOLEIMANI = "qasim-soleimani"


@pytest.fixture
async def editor(fresh_database) -> dict[str, str]:
    return bearer((await issue_key(fresh_database.app, "editor")).secret)


async def edit(database, headers, query, variables=None) -> dict[str, Any]:
    return await graphql(database.client, query, variables, headers=headers)


async def new_person(database, headers) -> str:
    data = await edit(
        database,
        headers,
        CREATE_PERSON,
        {"input": {"slug": "jane-roe", "name": "Jane Roe", "aliases": ["J. Roe"]}},
    )
    assert data["personCreate"]["errors"] == []
    person_id: str = data["personCreate"]["person"]["id"]
    return person_id


async def new_organization(database, headers, slug, parent=None) -> str:
    data = await edit(
        database,
        headers,
        CREATE_ORGANIZATION,
        {
            "input": {
                "slug": slug,
                "name": slug.title(),
                "kind": "GOVERNMENT_BODY",
                "parentId": parent,
            }
        },
    )
    assert data["organizationCreate"]["errors"] == []
    organization_id: str = data["organizationCreate"]["organization"]["id"]
    return organization_id


async def test_a_new_person_is_found_by_alias_and_hidden_from_the_public_until_named(
    fresh_database, editor
):
    await new_person(fresh_database, editor)

    by_editor = await edit(fresh_database, editor, PERSON_BY_NAME, {"name": "j. roe"})
    by_public = await graphql(fresh_database.client, PERSON_BY_NAME, {"name": "j. roe"})

    assert by_editor["person"] == {"slug": "jane-roe"}
    assert by_public["person"] is None


async def test_updating_aliases_replaces_them_and_records_the_diff(fresh_database, editor):
    person_id = await new_person(fresh_database, editor)

    data = await edit(
        fresh_database, editor, UPDATE_PERSON, {"id": person_id, "input": {"aliases": ["Roe"]}}
    )
    history = await edit(fresh_database, editor, REVISIONS, {"of": person_id})

    assert data["personUpdate"]["person"] == {"name": "Jane Roe", "aliases": ["Roe"]}
    update = history["revisions"]["edges"][1]["node"]
    assert update == {"action": "UPDATE", "changes": {"aliases": [["J. Roe"], ["Roe"]]}}


async def test_a_taken_person_slug_is_a_conflict(fresh_database, editor):
    data = await edit(
        fresh_database, editor, CREATE_PERSON, {"input": {"slug": SOLEIMANI, "name": "Someone"}}
    )

    assert data["personCreate"] == {
        "person": None,
        "errors": [{"field": "slug", "code": "CONFLICT"}],
    }


async def test_a_deleted_person_is_gone_even_for_editors(fresh_database, editor):
    found = await graphql(
        fresh_database.client, """query { person(slug: "qasim-soleimani") { id } }"""
    )

    data = await edit(fresh_database, editor, DELETE_PERSON, {"id": found["person"]["id"]})

    assert data["personDelete"]["errors"] == []
    assert (await edit(fresh_database, editor, PERSON, {"slug": SOLEIMANI}))["person"] is None


async def test_an_organization_cannot_become_its_own_ancestor(fresh_database, editor):
    ministry = await new_organization(fresh_database, editor, "ministry")
    department = await new_organization(fresh_database, editor, "department", parent=ministry)

    data = await edit(
        fresh_database,
        editor,
        UPDATE_ORGANIZATION,
        {"id": ministry, "input": {"parentId": department}},
    )

    assert data["organizationUpdate"] == {
        "organization": None,
        "errors": [{"field": "parentId", "code": "INVALID"}],
    }


async def test_a_membership_links_a_person_to_an_organization(fresh_database, editor):
    person_id = await new_person(fresh_database, editor)
    ministry = await new_organization(fresh_database, editor, "ministry")

    data = await edit(
        fresh_database,
        editor,
        CREATE_MEMBERSHIP,
        {"input": {"personId": person_id, "organizationId": ministry, "role": "minister"}},
    )

    assert data["membershipCreate"]["membership"] == {
        "id": data["membershipCreate"]["membership"]["id"],
        "role": "minister",
        "person": {"slug": "jane-roe"},
        "organization": {"slug": "ministry"},
    }


async def test_a_membership_cannot_end_before_it_starts(fresh_database, editor):
    person_id = await new_person(fresh_database, editor)
    ministry = await new_organization(fresh_database, editor, "ministry")

    data = await edit(
        fresh_database,
        editor,
        CREATE_MEMBERSHIP,
        {
            "input": {
                "personId": person_id,
                "organizationId": ministry,
                "startOn": "2020-02-01",
                "endOn": "2020-01-01",
            }
        },
    )

    assert data["membershipCreate"] == {
        "membership": None,
        "errors": [{"field": "endOn", "code": "INVALID"}],
    }
