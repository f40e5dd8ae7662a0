-- bingfa schema version 29: saved views of the lists (保存的视图), a
-- resource like the directory's (src/core/resource.c, view_fields): a list's
-- query string and columns kept by a user under a name, shared by a manager
-- with a team's tree (shared_team_id; the team's 's:' scope of migration 10
-- says who is in it).
CREATE TABLE views (
    id             TEXT PRIMARY KEY,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    resource       TEXT NOT NULL,
    name           TEXT NOT NULL,
    query          TEXT,
    columns        TEXT,
    shared_team_id TEXT REFERENCES teams(id) ON DELETE SET NULL,
    owner_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
    owner          TEXT
);
CREATE INDEX views_created ON views(created_at, id);
CREATE INDEX views_owner ON views(owner_id, created_at, id);
CREATE INDEX views_shared ON views(shared_team_id, created_at, id);
