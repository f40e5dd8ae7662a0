-- bingfa schema version 23 (PostgreSQL): documents kept on deals — uploaded, or made from
-- a template and saved — each version a row, their bytes stored once by
-- their SHA-256; the link to the checklist deliverable a document satisfies;
-- and the handover of a won deal to implementation. docs/documents.md.
CREATE TABLE document_contents (
    sha256  TEXT PRIMARY KEY,
    size    BIGINT NOT NULL,
    content BYTEA NOT NULL
);
CREATE TABLE documents (
    id               TEXT PRIMARY KEY,
    opportunity_id   TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    version          BIGINT NOT NULL,
    category         TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size             BIGINT NOT NULL,
    sha256           TEXT NOT NULL REFERENCES document_contents(sha256),
    source           TEXT NOT NULL,
    template_key     TEXT,
    template_version BIGINT,
    item_id          TEXT,
    shared           BIGINT NOT NULL DEFAULT 0,
    note             TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    UNIQUE (opportunity_id, name, version)
);
CREATE INDEX documents_opportunity ON documents(opportunity_id, created_at);
CREATE INDEX documents_content ON documents(sha256);
CREATE TABLE handovers (
    opportunity_id  TEXT PRIMARY KEY REFERENCES opportunities(id) ON DELETE CASCADE,
    version         BIGINT NOT NULL DEFAULT 1,
    commitments     TEXT,
    project_lead_id TEXT,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX handovers_waiting ON handovers(created_at) WHERE acknowledged_at IS NULL;
INSERT INTO handovers (opportunity_id, created_at, updated_at)
    SELECT id, updated_at, updated_at FROM opportunities WHERE status = 'won';
