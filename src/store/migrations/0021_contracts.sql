-- bingfa schema version 21: contracts (合同) made from accepted quotations,
-- one a quotation, with their payment plan kept as written (JSON: the
-- milestones, each a percent or an amount in fen, due, invoiced and
-- received dates). docs/quotations.md.
CREATE TABLE contracts (
    id             TEXT PRIMARY KEY,
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    quotation_id   TEXT NOT NULL UNIQUE REFERENCES quotations(id),
    number         TEXT NOT NULL UNIQUE,
    version        INTEGER NOT NULL DEFAULT 1,
    signed_on      TEXT,
    amount         INTEGER NOT NULL,
    party_a        TEXT,
    party_b        TEXT,
    archived_on    TEXT,
    notes          TEXT,
    milestones     TEXT NOT NULL DEFAULT '[]',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL
);
CREATE INDEX contracts_opportunity ON contracts(opportunity_id, created_at);
