"""Nested reads in both directions: article → speaker, person → organization, vote → follow-up."""

from __future__ import annotations

from tests.support import graphql
from tests.test_headline_query import quoted_passages

ARTICLE_TO_SPEAKER = """
query {
  article(slug: "us-led-coalition-suspends-anti-isis-operations") {
    headline standfirst dateline publishedAt url
    publisher { slug name kind }
    credits { role person { name } }
    paragraphs {
      position kind text
      quotes { text start end statement { medium speaker { __typename ... on Organization { slug } } } }
    }
    relatedLinks { anchorText article { headline paragraphs { position } } paragraph { position } }
    statements { speaker { ... on Organization { slug } } issuedOn issuedOnText }
  }
}
"""
PERSON_TO_ORGANIZATIONS = """
query {
  person(slug: "abu-mahdi-al-muhandis") {
    memberships {
      totalCount
      edges { node { role endOn organization { slug } source { slug } sources { slug } } }
    }
    mentionedIn { totalCount edges { node { slug } } }
  }
}
"""
VOTES = """
query {
  votes(filter: {status: HELD}) {
    totalCount
    edges { node {
      motion heldOn heldOnText status outcome
      body { slug }
      positions { option groupName voterCount }
      followUp { status outcome heldOn heldOnText followUpOf { heldOn } reportedIn { position } }
      reportedIn { position article { slug } }
    } }
  }
}
"""
PARAPHRASED_STATEMENT = """
query {
  organization(slug: "nato") {
    statements { edges { node {
      medium issuedOn quotes { text } reportedIn { position } articles { slug }
    } } }
  }
}
"""
SEED = "us-led-coalition-suspends-anti-isis-operations"


async def test_article_to_paragraphs_to_quotes_to_statement_to_speaker(client):
    article = (await graphql(client, ARTICLE_TO_SPEAKER))["article"]

    assert article["dateline"] == "WASHINGTON DC"
    assert article["publisher"] == {
        "slug": "kurdistan-24",
        "name": "Kurdistan 24",
        "kind": "NEWS_OUTLET",
    }
    assert article["credits"] == [{"role": "EDITOR", "person": {"name": "Karzan Sulaivany"}}]
    paragraphs = article["paragraphs"]
    assert [p["position"] for p in paragraphs] == list(range(1, len(paragraphs) + 1))
    assert paragraphs[0]["kind"] == "STANDFIRST"
    assert paragraphs[0]["text"] == article["standfirst"]
    assert paragraphs[-1]["kind"] == "CREDIT"
    quotes = [quote for paragraph in paragraphs for quote in paragraph["quotes"]]
    assert len(quotes) == len(quoted_passages()) == 9
    for paragraph in paragraphs:
        for quote in paragraph["quotes"]:
            assert paragraph["text"][quote["start"] : quote["end"]] == quote["text"]
            assert quote["statement"]["speaker"] == {
                "__typename": "Organization",
                "slug": "cjtf-oir",
            }
            assert quote["statement"]["medium"] == "WRITTEN_STATEMENT"


async def test_related_links_are_headline_only_articles_anchored_in_their_paragraphs(client):
    article = (await graphql(client, ARTICLE_TO_SPEAKER))["article"]
    kinds = {p["position"]: p["kind"] for p in article["paragraphs"]}

    links = article["relatedLinks"]
    assert len(links) == 2
    for link in links:
        assert kinds[link["paragraph"]["position"]] == "RELATED_LINK"
        assert link["anchorText"].endswith(link["article"]["headline"])
        assert link["article"]["paragraphs"] == []  # known only by its headline


async def test_article_lists_the_statements_it_carries_in_order_of_appearance(client):
    article = (await graphql(client, ARTICLE_TO_SPEAKER))["article"]

    assert article["statements"] == [
        {"speaker": {"slug": "cjtf-oir"}, "issuedOn": "2020-01-05", "issuedOnText": "on Sunday"},
        {"speaker": {"slug": "nato"}, "issuedOn": "2020-01-04", "issuedOnText": "on Saturday"},
    ]


async def test_person_to_memberships_to_organizations(client):
    person = (await graphql(client, PERSON_TO_ORGANIZATIONS))["person"]

    memberships = {
        edge["node"]["organization"]["slug"]: edge["node"]
        for edge in person["memberships"]["edges"]
    }
    assert set(memberships) == {"popular-mobilization-forces", "kataib-hizbollah"}
    assert memberships["popular-mobilization-forces"]["role"] == "deputy head"
    assert all(m["source"] == {"slug": SEED} for m in memberships.values())
    assert all(m["sources"] == [{"slug": SEED}] for m in memberships.values())
    assert person["mentionedIn"]["edges"] == [{"node": {"slug": SEED}}]


async def test_vote_to_body_positions_follow_up_and_reports(client):
    votes = (await graphql(client, VOTES))["votes"]

    (edge,) = votes["edges"]
    vote = edge["node"]
    assert vote["body"] == {"slug": "iraqi-council-of-representatives"}
    assert (vote["heldOn"], vote["heldOnText"], vote["outcome"]) == (
        "2020-01-05",
        "late on Sunday",
        "APPROVED",
    )
    options = sorted((p["groupName"], p["option"]) for p in vote["positions"])
    assert options == [
        ("Kurdish parliamentarians", "BOYCOTT"),
        ("Shia members", "SUPPORT"),
        ("Sunni parliamentarians", "BOYCOTT"),
    ]
    follow_up = vote["followUp"]
    assert follow_up["status"] == "SCHEDULED" and follow_up["outcome"] is None
    assert (follow_up["heldOn"], follow_up["heldOnText"]) == ("2020-01-11", "next Saturday")
    assert follow_up["followUpOf"] == [{"heldOn": "2020-01-05"}]
    assert {r["article"]["slug"] for r in vote["reportedIn"]} == {SEED}


async def test_a_paraphrased_statement_has_no_quotes_but_knows_where_it_is_reported(client):
    organization = (await graphql(client, PARAPHRASED_STATEMENT))["organization"]

    (edge,) = organization["statements"]["edges"]
    statement = edge["node"]
    assert statement["quotes"] == []
    assert statement["medium"] == "ANNOUNCEMENT"
    assert statement["articles"] == [{"slug": SEED}]
    assert len(statement["reportedIn"]) == 1
