-- bingfa schema version 33: notifications (通知, docs/notifications.md) — a
-- user's inbox in the app, and outgoing messages to the group robots of
-- 企业微信 (WeCom) and 钉钉 (DingTalk).
--
-- notifications: one row per recipient and event. kind is one of
-- approval_waiting, gate_refused, deal_stalled, visit_tomorrow, tender_near,
-- handover_received; record_type and record_id name what it is about (an
-- approval, an activity, a deal), opportunity_id its deal; params holds the
-- event's own facts as a JSON object (the deal's name is read from the deal
-- when the inbox is read, so that it is current and only shown to whoever
-- still sees the deal). The unique key (user, kind, record, day, part) makes
-- every writer idempotent: the periodic job of `bingfa serve` (several
-- servers on one database, or a run again) never writes an event twice.
-- day is the China day the event belongs to (a visit's, a tender date's, the
-- day a deal became stalled, the day of an approval's request); part tells
-- events of one record and day apart (an approval's level, a tender's date).
CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    opportunity_id TEXT REFERENCES opportunities(id) ON DELETE CASCADE,
    record_type    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    day            TEXT NOT NULL,
    part           TEXT NOT NULL DEFAULT '',
    params         TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL,
    read_at        TEXT
);
CREATE UNIQUE INDEX notifications_key ON notifications(user_id, kind, record_id, day, part);
-- The inbox, newest first (a walk backwards), and its unread part alone.
CREATE INDEX notifications_inbox ON notifications(user_id, created_at, id);
CREATE INDEX notifications_unread ON notifications(user_id, created_at, id) WHERE read_at IS NULL;
CREATE INDEX notifications_opportunity ON notifications(opportunity_id);

-- The group robots an admin sets up: a name, the kind of robot, its
-- webhook address (its key or access token in it), DingTalk's signing
-- secret, the events it is sent (a JSON array of kinds), the team whose
-- deals it is about (its whole tree; NULL: every deal) and the language of
-- its messages.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT,
    events     TEXT NOT NULL DEFAULT '[]',
    team_id    TEXT REFERENCES teams(id) ON DELETE RESTRICT,
    lang       TEXT NOT NULL DEFAULT 'zh',
    enabled    INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT
);
CREATE INDEX webhooks_created ON webhooks(created_at, id);
CREATE INDEX webhooks_team ON webhooks(team_id);

-- The outbox: a message to send to a webhook, written in the transaction of
-- the change it tells of, sent by the sender thread of `bingfa serve`.
-- event_key (record, day, part; a test's own id) keeps an event from being
-- queued twice for one webhook. next_attempt_at is when it is due (NULL once
-- delivered or given up); a sender claims it by moving it on, so that two
-- servers never send it at once.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    event_key       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    delivered_at    TEXT,
    failed_at       TEXT
);
CREATE UNIQUE INDEX webhook_deliveries_key ON webhook_deliveries(webhook_id, kind, event_key);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, id)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at, id);

-- The tender's key dates the job reads are tender_dates (migration 31: kind,
-- day), kept as the tender form is saved.

