-- bingfa schema version 24: the knowledge base (知识库): reference cases,
-- selling points, objections, questions and solutions, each entry's
-- versions, its facets (industries, products, tags, stages, activities)
-- as an index for filters and suggestions, with counts of the published
-- ones; its one- and two-character grams for short queries (in the order
-- a search reads them: the title's first, the newest first) and a trigram
-- index (FTS5) for the rest. docs/knowledge.md.
CREATE TABLE knowledge (
    id                    TEXT PRIMARY KEY,
    seq                   INTEGER NOT NULL UNIQUE,
    kind                  TEXT NOT NULL,
    lang                  TEXT NOT NULL,
    title                 TEXT NOT NULL,
    entry                 TEXT NOT NULL,
    search_title          TEXT NOT NULL,
    search_text           TEXT NOT NULL,
    shareable             INTEGER NOT NULL DEFAULT 0,
    status                TEXT NOT NULL,
    author                TEXT NOT NULL,
    reviewer              TEXT,
    source_opportunity_id TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX knowledge_recent ON knowledge(updated_at);
CREATE TABLE knowledge_facets (
    facet        TEXT NOT NULL,
    value        TEXT NOT NULL,
    knowledge_id TEXT NOT NULL REFERENCES knowledge(id) ON DELETE CASCADE,
    PRIMARY KEY (facet, value, knowledge_id)
) WITHOUT ROWID;
CREATE INDEX knowledge_facets_entry ON knowledge_facets(knowledge_id);
CREATE TABLE knowledge_facet_counts (
    facet     TEXT NOT NULL,
    value     TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    shared    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;
CREATE INDEX knowledge_facet_counts_published ON knowledge_facet_counts(facet, published);
CREATE INDEX knowledge_facet_counts_shared ON knowledge_facet_counts(facet, shared);
CREATE TABLE knowledge_grams (
    gram         TEXT NOT NULL,
    weight       INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    knowledge_id TEXT NOT NULL REFERENCES knowledge(id) ON DELETE CASCADE,
    PRIMARY KEY (gram, weight, seq, knowledge_id)
) WITHOUT ROWID;
CREATE TABLE knowledge_versions (
    knowledge_id TEXT NOT NULL REFERENCES knowledge(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    entry        TEXT NOT NULL,
    status       TEXT NOT NULL,
    changed_by   TEXT NOT NULL,
    changed_at   TEXT NOT NULL,
    PRIMARY KEY (knowledge_id, version)
);
-- The language as a word of its own, one trigram ("zh0", "en0"), so that a
-- search in one language is narrowed by the index at the cost of one list;
-- BM25's weights, were it asked for: the title five times the body.
CREATE VIRTUAL TABLE knowledge_fts USING fts5(title, body, lang, tokenize = 'trigram');
INSERT INTO knowledge_fts (knowledge_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0, 0.0)');
