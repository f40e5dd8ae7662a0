-- bingfa schema version 22 (PostgreSQL): document templates the company writes (the
-- built-in ones are compiled in: templates/). Each save of a key in a
-- language is a new version; the newest is the one used. docs/templates.md.
CREATE TABLE templates (
    id         TEXT PRIMARY KEY,
    key        TEXT NOT NULL,
    lang       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (key, lang, version)
);
