-- bingfa schema version 5: users, teams and channel partners; API tokens and
-- login sessions (only their hashes); who is on a deal and which partners are
-- registered on it; the append-only audit log; the fields partners never see.

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_id   TEXT REFERENCES teams(id) ON DELETE RESTRICT,
    share_deals INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX teams_created ON teams(created_at, id);
CREATE INDEX teams_parent ON teams(parent_id);

CREATE TABLE partners (
    id         TEXT PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    name       TEXT NOT NULL,
    contact    TEXT,
    phone      TEXT,
    region     TEXT
);
CREATE INDEX partners_created ON partners(created_at, id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    name          TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    role          TEXT NOT NULL,
    team_id       TEXT REFERENCES teams(id) ON DELETE RESTRICT,
    partner_id    TEXT REFERENCES partners(id) ON DELETE RESTRICT,
    active        INTEGER NOT NULL DEFAULT 1,
    email         TEXT,
    password_hash TEXT             -- argon2id string; NULL: cannot log in with a password
);
CREATE INDEX users_created ON users(created_at, id);
CREATE INDEX users_team ON users(team_id);
CREATE INDEX users_partner ON users(partner_id);

-- API tokens for scripts: only the hash of each token is kept.
CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Login sessions: the hash of the cookie's value.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address    TEXT
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- The deal team beyond its owner: consultants, managers, implementation.
CREATE TABLE opportunity_members (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    role           TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    added_by       TEXT,
    PRIMARY KEY (opportunity_id, user_id)
) WITHOUT ROWID;
CREATE INDEX opportunity_members_user ON opportunity_members(user_id, role);

-- Channel partners registered on a deal (报备).
CREATE TABLE opportunity_partners (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    partner_id     TEXT NOT NULL REFERENCES partners(id) ON DELETE RESTRICT,
    registered_at  TEXT NOT NULL,
    registered_by  TEXT,
    PRIMARY KEY (opportunity_id, partner_id)
) WITHOUT ROWID;
CREATE INDEX opportunity_partners_partner ON opportunity_partners(partner_id);

-- Every write and every login attempt: who, when, which record, old and new
-- values (JSON objects of the fields that changed). Never changed, never deleted.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    resource   TEXT,
    record_id  TEXT,
    old_values TEXT,
    new_values TEXT,
    address    TEXT
);
CREATE INDEX audit_log_record ON audit_log(record_id, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Internal fields of a deal: channel partners never see them.
ALTER TABLE opportunities ADD COLUMN internal_notes TEXT;
ALTER TABLE opportunities ADD COLUMN margin INTEGER;
