-- bingfa schema version 32 (PostgreSQL): tags (标签) on accounts, contacts,
-- deals and activities (src/core/resource.c, FIELD_TAGS). Each record keeps its
-- tags as the JSON array the API writes (the column tags, like the other
-- lists), and the store keeps one row per tag of a record in record_tags, in
-- the transaction that writes the record (store/sqlite_records.c), so that a
-- list's ?tag= is a seek of (resource, tag) and a record's own tags a seek of
-- its id. tag_counts keeps how many records of a resource carry each tag: the
-- tags in use, and an admin's counts, read without walking the tagged records.
ALTER TABLE accounts ADD COLUMN tags TEXT;
ALTER TABLE contacts ADD COLUMN tags TEXT;
ALTER TABLE opportunities ADD COLUMN tags TEXT;
ALTER TABLE activities ADD COLUMN tags TEXT;

CREATE TABLE record_tags (
    resource  TEXT NOT NULL,
    record_id TEXT NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (resource, record_id, tag)
);
CREATE INDEX record_tags_by_tag ON record_tags(resource, tag, record_id);

CREATE TABLE tag_counts (
    resource TEXT NOT NULL,
    tag      TEXT NOT NULL,
    records  BIGINT NOT NULL,
    PRIMARY KEY (resource, tag)
);
