-- bingfa schema version 15 (PostgreSQL): approvals, one flow for every decision a
-- manager makes about a deal (src/api/approvals.c, docs/approvals.md): a
-- gate passed although items are unmet, a deal closed before its winning
-- stage, a sales mode below the evaluation's recommendation.
--
-- A request says what is asked (kind, and ask: the stage, the status, the
-- sales mode … as a JSON object), why (reason) and with what evidence. It
-- needs `levels` decisions, by the amount of the deal (the setting
-- "approvals"); `level` is the one it waits for, decided by a manager of
-- approver_team_id or of a team above it (NULL: an admin). `queue` is where
-- a pending request waits, 't:<team id>' or 'admin', so that an inbox is
-- one seek; it is NULL once decided. decisions holds every decision made,
-- as a JSON array.
CREATE TABLE approvals (
    id               TEXT PRIMARY KEY,
    version          INTEGER NOT NULL DEFAULT 1,
    opportunity_id   TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending',
    ask              TEXT NOT NULL,
    reason           TEXT NOT NULL,
    evidence         TEXT,
    levels           INTEGER NOT NULL,
    level            INTEGER NOT NULL,
    approver_team_id TEXT,
    queue            TEXT,
    requester_id     TEXT,
    requested_by     TEXT NOT NULL,
    requested_at     TEXT NOT NULL,
    decisions        TEXT NOT NULL DEFAULT '[]',
    decided_at       TEXT
);
CREATE INDEX approvals_opportunity ON approvals(opportunity_id, requested_at, id);
CREATE INDEX approvals_queue ON approvals(queue, requested_at, id);
CREATE INDEX approvals_requester ON approvals(requester_id, requested_at, id);
