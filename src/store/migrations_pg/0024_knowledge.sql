-- bingfa schema version 24 (PostgreSQL): the knowledge base (知识库): reference cases,
-- selling points, objections, questions and solutions, each entry's
-- versions, its facets (industries, products, tags, stages, activities)
-- as an index for filters and suggestions, with counts of the published
-- ones; its one- and two-character grams for short queries (in the order
-- a search reads them: the title's first, the newest first) and a trigram
-- index (pg_trgm) for the rest. docs/knowledge.md.
CREATE TABLE knowledge (
    id                    TEXT PRIMARY KEY,
    seq                   BIGINT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL,
    lang                  TEXT NOT NULL,
    title                 TEXT NOT NULL,
    entry                 TEXT NOT NULL,
    search_title          TEXT NOT NULL,
    search_text           TEXT NOT NULL,
    shareable             BIGINT NOT NULL DEFAULT 0,
    status                TEXT NOT NULL,
    author                TEXT NOT NULL,
    reviewer              TEXT,
    source_opportunity_id TEXT,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX knowledge_recent ON knowledge(updated_at);
CREATE TABLE knowledge_facets (
    facet        TEXT NOT NULL,
    value        TEXT NOT NULL,
    knowledge_id TEXT NOT NULL REFERENCES knowledge(id) ON DELETE CASCADE,
    PRIMARY KEY (facet, value, knowledge_id)
);
CREATE INDEX knowledge_facets_entry ON knowledge_facets(knowledge_id);
CREATE TABLE knowledge_facet_counts (
    facet     TEXT NOT NULL,
    value     TEXT NOT NULL,
    published BIGINT NOT NULL DEFAULT 0,
    shared    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (facet, value)
);
CREATE INDEX knowledge_facet_counts_published ON knowledge_facet_counts(facet, published);
CREATE INDEX knowledge_facet_counts_shared ON knowledge_facet_counts(facet, shared);
CREATE TABLE knowledge_grams (
    gram         TEXT NOT NULL,
    weight       BIGINT NOT NULL,
    seq          BIGINT NOT NULL,
    knowledge_id TEXT NOT NULL REFERENCES knowledge(id) ON DELETE CASCADE,
    PRIMARY KEY (gram, weight, seq, knowledge_id)
);
CREATE TABLE knowledge_versions (
    knowledge_id TEXT NOT NULL REFERENCES knowledge(id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    entry        TEXT NOT NULL,
    status       TEXT NOT NULL,
    changed_by   TEXT NOT NULL,
    changed_at   TEXT NOT NULL,
    PRIMARY KEY (knowledge_id, version)
);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX knowledge_trigrams ON knowledge USING gin (search_text gin_trgm_ops);
