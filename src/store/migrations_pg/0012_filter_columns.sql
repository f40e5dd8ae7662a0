-- bingfa schema version 12 (PostgreSQL): as src/store/migrations/0012_filter_columns.sql,
-- the owner-led sort indexes carry the deal's status and stage after their
-- key, so that both stores have the same indexes.
DROP INDEX opportunities_owner_created;
CREATE INDEX opportunities_owner_created
    ON opportunities(owner_id, created_at, id, status, stage);
DROP INDEX opportunities_owner_name;
CREATE INDEX opportunities_owner_name
    ON opportunities(owner_id, COALESCE(name, ''), id, status, stage);
DROP INDEX opportunities_owner_amount;
CREATE INDEX opportunities_owner_amount
    ON opportunities(owner_id, COALESCE(amount, -1), id, status, stage);
DROP INDEX opportunities_owner_close;
CREATE INDEX opportunities_owner_close
    ON opportunities(owner_id, COALESCE(expected_close, ''), id, status, stage);
DROP INDEX opportunities_owner_stage;
CREATE INDEX opportunities_owner_stage
    ON opportunities(owner_id, COALESCE(stage, ''), id, status, stage);
DROP INDEX opportunities_owner_probability;
CREATE INDEX opportunities_owner_probability
    ON opportunities(owner_id, COALESCE(probability, -1), id, status, stage);
DROP INDEX opportunities_owner_owner;
CREATE INDEX opportunities_owner_owner
    ON opportunities(owner_id, COALESCE(owner, ''), id, status, stage);
