-- bingfa schema version 33 (PostgreSQL): notifications (通知,
-- docs/notifications.md) — a user's inbox in the app, and outgoing messages
-- to the group robots of 企业微信 (WeCom) and 钉钉 (DingTalk). As
-- src/store/migrations/0032_notifications.sql, which says what each column
-- holds.
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
CREATE INDEX notifications_inbox ON notifications(user_id, created_at, id);
CREATE INDEX notifications_unread ON notifications(user_id, created_at, id) WHERE read_at IS NULL;
CREATE INDEX notifications_opportunity ON notifications(opportunity_id);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT,
    events     TEXT NOT NULL DEFAULT '[]',
    team_id    TEXT REFERENCES teams(id) ON DELETE RESTRICT,
    lang       TEXT NOT NULL DEFAULT 'zh',
    enabled    BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT
);
CREATE INDEX webhooks_created ON webhooks(created_at, id);
CREATE INDEX webhooks_team ON webhooks(team_id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    event_key       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
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

