-- The SQL floor: the headline query's whole `data`, built by PostgreSQL in one statement.
-- Same rows, order and visibility as newsgraph answers with (published articles, and
-- embargoed ones whose embargo has lifted; statements and organizations by their stored
-- moment of visibility, as db/visibility.py reads them); %(name)s is the organization's
-- normalized name or alias. bench/compare.py times it and checks it equals newsgraph's answer.
WITH coalition AS (
  SELECT o.id, o.name
  FROM organizations o
  WHERE (o.normalized_name = %(name)s
         OR o.id IN (SELECT organization_id FROM organization_aliases WHERE normalized = %(name)s))
    AND o.public_visible_from <= now()
  ORDER BY o.id
  LIMIT 1
),
visible_articles AS NOT MATERIALIZED (
  SELECT id, headline, url, published_at
  FROM articles
  WHERE status = 'published' OR (status = 'embargoed' AND embargoed_until <= now())
)
SELECT json_build_object('organization', (
  SELECT json_build_object(
    'name', c.name,
    'aliases', (
      SELECT coalesce(json_agg(a.alias ORDER BY a.position, a.id), '[]')
      FROM organization_aliases a WHERE a.organization_id = c.id
    ),
    'statements', json_build_object(
      'totalCount', (
        SELECT count(*) FROM statements s
        WHERE s.speaker_organization_id = c.id AND s.public_visible_from <= now()
      ),
      'edges', (
        SELECT coalesce(json_agg(json_build_object('node', json_build_object(
          'issuedOn', s.issued_on,
          'quotes', quoted.quotes,
          'articles', quoting.articles
        )) ORDER BY s.issued_on DESC NULLS LAST, s.id DESC), '[]')
        FROM (
          SELECT st.id, st.issued_on FROM statements st
          WHERE st.speaker_organization_id = c.id AND st.public_visible_from <= now()
          ORDER BY st.issued_on DESC NULLS LAST, st.id DESC
          LIMIT 10
        ) s
        CROSS JOIN LATERAL (
          SELECT coalesce(json_agg(json_build_object(
            'text', q.text,
            'paragraph', json_build_object(
              'position', p.position, 'text', p.text,
              'article', json_build_object('headline', va.headline)
            )
          ) ORDER BY va.published_at NULLS LAST, va.id, p.position, q.start_offset), '[]') AS quotes
          FROM quotes q
          JOIN paragraphs p ON p.id = q.paragraph_id
          JOIN visible_articles va ON va.id = p.article_id
          WHERE q.statement_id = s.id
        ) quoted
        CROSS JOIN LATERAL (
          SELECT coalesce(json_agg(json_build_object(
            'headline', va.headline,
            'relatedArticles', related.articles
          ) ORDER BY va.published_at NULLS LAST, va.id), '[]') AS articles
          FROM visible_articles va
          CROSS JOIN LATERAL (
            SELECT coalesce(json_agg(json_build_object('headline', t.headline, 'url', t.url)
                                     ORDER BY l.position, t.id), '[]') AS articles
            FROM article_links l JOIN visible_articles t ON t.id = l.to_article_id
            WHERE l.from_article_id = va.id
          ) related
          WHERE va.id IN (
            SELECT p.article_id FROM quotes q JOIN paragraphs p ON p.id = q.paragraph_id
            WHERE q.statement_id = s.id
            UNION
            SELECT p.article_id FROM statement_reports r JOIN paragraphs p ON p.id = r.paragraph_id
            WHERE r.statement_id = s.id
          )
        ) quoting
      )
    )
  )
  FROM coalition c
))::text
