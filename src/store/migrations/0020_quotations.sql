-- bingfa schema version 20: quotations (报价单) of a deal (docs/quotations.md).
-- A quotation's number is shared by its revisions; its lines are kept as
-- written (JSON: the price list's name, unit, kind, price, tax rate and
-- cost copied in, rates in hundredths of a percent, quantities in
-- hundredths), its totals alongside for lists. Money is integer fen.
CREATE TABLE quotations (
    id                TEXT PRIMARY KEY,
    opportunity_id    TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    number            TEXT NOT NULL,
    revision          INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    status            TEXT NOT NULL,
    is_primary        INTEGER NOT NULL DEFAULT 0,
    title             TEXT,
    currency          TEXT NOT NULL DEFAULT 'CNY',
    valid_until       TEXT,
    payment_terms     TEXT,
    delivery_terms    TEXT,
    notes             TEXT,
    discount          INTEGER NOT NULL DEFAULT 0,
    lines             TEXT NOT NULL DEFAULT '[]',
    list_amount       INTEGER NOT NULL DEFAULT 0,
    net               INTEGER NOT NULL DEFAULT 0,
    tax               INTEGER NOT NULL DEFAULT 0,
    gross             INTEGER NOT NULL DEFAULT 0,
    cost              INTEGER NOT NULL DEFAULT 0,
    cost_complete     INTEGER NOT NULL DEFAULT 1,
    max_line_discount INTEGER NOT NULL DEFAULT 0,
    approval_id       TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    sent_at           TEXT,
    UNIQUE (number, revision)
);
CREATE INDEX quotations_opportunity ON quotations(opportunity_id, number, revision);
