"""Ingestion: raw articles (plain text, HTML, IPTC ninjs JSON) turned into article documents."""
