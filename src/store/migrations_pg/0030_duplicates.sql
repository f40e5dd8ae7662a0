-- Duplicate detection (撞单, docs/import.md "Duplicates"): an account's
-- unified social credit code, and the name keys that accounts and the deals
-- of one account are compared by. The server keeps name_key (core/dedupe.c);
-- the rows already there get theirs when a server first opens the database,
-- found by the partial indexes, which are empty afterwards.
ALTER TABLE accounts ADD COLUMN credit_code TEXT;
ALTER TABLE accounts ADD COLUMN name_key TEXT;
ALTER TABLE opportunities ADD COLUMN name_key TEXT;
CREATE INDEX accounts_name_key ON accounts(name_key);
CREATE INDEX accounts_credit_code ON accounts(credit_code) WHERE credit_code IS NOT NULL;
CREATE INDEX opportunities_account_name_key ON opportunities(account_id, name_key);
CREATE INDEX accounts_name_key_missing ON accounts(id) WHERE name_key IS NULL;
CREATE INDEX opportunities_name_key_missing ON opportunities(id) WHERE name_key IS NULL;
