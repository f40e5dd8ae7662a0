-- bingfa schema version 5 (PostgreSQL): users, teams and channel partners;
-- API tokens and login sessions (only their hashes); the deal team and
-- partner registrations; the append-only audit log; the fields partners
-- never see. As src/store/migrations/0005_users_access_audit.sql.

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_id   TEXT REFERENCES teams(id) ON DELETE RESTRICT,
    share_deals BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX teams_created ON teams(created_at, id);
CREATE INDEX teams_parent ON teams(parent_id);

CREATE TABLE partners (
    id         TEXT PRIMARY KEY,
    version    BIGINT NOT NULL DEFAULT 1,
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
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    name          TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    role          TEXT NOT NULL,
    team_id       TEXT REFERENCES teams(id) ON DELETE RESTRICT,
    partner_id    TEXT REFERENCES partners(id) ON DELETE RESTRICT,
    active        BIGINT NOT NULL DEFAULT 1,
    email         TEXT,
    password_hash TEXT             -- argon2id string; NULL: cannot log in with a password
);
CREATE INDEX users_created ON users(created_at, id);
CREATE INDEX users_team ON users(team_id);
CREATE INDEX users_partner ON users(partner_id);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address    TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE opportunity_members (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    role           TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    added_by       TEXT,
    PRIMARY KEY (opportunity_id, user_id)
);
CREATE INDEX opportunity_members_user ON opportunity_members(user_id, role);

CREATE TABLE opportunity_partners (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    partner_id     TEXT NOT NULL REFERENCES partners(id) ON DELETE RESTRICT,
    registered_at  TEXT NOT NULL,
    registered_by  TEXT,
    PRIMARY KEY (opportunity_id, partner_id)
);
CREATE INDEX opportunity_partners_partner ON opportunity_partners(partner_id);

-- Every write and every login attempt; never changed, never deleted. seq
-- grows with each entry, as SQLite's AUTOINCREMENT.
CREATE TABLE audit_log (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

ALTER TABLE opportunities ADD COLUMN internal_notes TEXT;
ALTER TABLE opportunities ADD COLUMN margin BIGINT;
