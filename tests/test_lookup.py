"""Finding organizations and persons by slug, name or alias."""

from __future__ import annotations

import pytest

from tests.support import graphql, graphql_response

ORGANIZATION_BY_NAME = """
query OrganizationByName($name: String!) { organization(name: $name) { slug name } }
"""
ORGANIZATION_BY_SLUG = """
query OrganizationBySlug($slug: String!) { organization(slug: $slug) { slug name } }
"""
PERSON_BY_NAME = """
query PersonByName($name: String!) { person(name: $name) { slug name aliases } }
"""
ORGANIZATIONS_SEARCH = """
query Search($search: String) { organizations(search: $search) { totalCount edges { node { slug } } } }
"""
BOTH_SLUG_AND_NAME = """{ organization(slug: "nato", name: "NATO") { slug } }"""


@pytest.mark.parametrize(
    "name",
    [
        "CJTF-OIR",
        "cjtf-oir",
        "CJTF\u2013OIR",  # an en dash where the alias has a hyphen
        "the US-led Coalition",
        "US-LED COALITION",
        "The Coalition",
        "Combined Joint Task Force-Operation Inherent Resolve",
    ],
)
async def test_organization_by_any_alias_ignoring_case_and_leading_the(client, name):
    data = await graphql(client, ORGANIZATION_BY_NAME, {"name": name})

    assert data["organization"]["slug"] == "cjtf-oir"


@pytest.mark.parametrize(
    "name", ["Kata'ib Hizbollah", "Kata\u2019ib Hizbollah", "KATA\u2019\u00cdB HIZBOLLAH"]
)
async def test_organization_lookup_ignores_apostrophe_style_and_accents(client, name):
    data = await graphql(client, ORGANIZATION_BY_NAME, {"name": name})

    assert data["organization"]["slug"] == "kataib-hizbollah"


async def test_unknown_name_is_null_not_an_error(client):
    data = await graphql(client, ORGANIZATION_BY_NAME, {"name": "No Such Coalition"})

    assert data["organization"] is None


async def test_organization_by_slug(client):
    data = await graphql(client, ORGANIZATION_BY_SLUG, {"slug": "nato"})

    assert data["organization"] == {"slug": "nato", "name": "NATO"}


async def test_unknown_slug_is_null(client):
    data = await graphql(client, ORGANIZATION_BY_SLUG, {"slug": "nope"})

    assert data["organization"] is None


async def test_slug_and_name_together_is_a_client_error(client):
    body = (await graphql_response(client, BOTH_SLUG_AND_NAME)).json()

    (error,) = body["errors"]
    assert "exactly one of `slug` or `name`" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_person_by_alias(client):
    data = await graphql(client, PERSON_BY_NAME, {"name": "muhandis"})

    person = data["person"]
    assert person["name"] == "Abu Mahdi al-Muhandis"
    assert "Muhandis" in person["aliases"]


async def test_organizations_search_matches_aliases(client):
    data = await graphql(client, ORGANIZATIONS_SEARCH, {"search": "coalition"})

    slugs = [edge["node"]["slug"] for edge in data["organizations"]["edges"]]
    assert slugs == ["cjtf-oir"]
    assert data["organizations"]["totalCount"] == 1
