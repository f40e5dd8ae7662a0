-- bingfa schema version 6 (PostgreSQL): the owner of an account, a deal and
-- an activity is a user (owner_id); as src/store/migrations/0006_owner_reference.sql.
ALTER TABLE accounts ADD COLUMN owner_id TEXT REFERENCES users(id);
ALTER TABLE opportunities ADD COLUMN owner_id TEXT REFERENCES users(id);
ALTER TABLE activities ADD COLUMN owner_id TEXT REFERENCES users(id);

UPDATE accounts SET owner_id = (SELECT id FROM users WHERE users.name = accounts.owner)
    WHERE owner IS NOT NULL;
UPDATE opportunities SET owner_id = (SELECT id FROM users WHERE users.name = opportunities.owner)
    WHERE owner IS NOT NULL;
UPDATE activities SET owner_id = (SELECT id FROM users WHERE users.name = activities.owner)
    WHERE owner IS NOT NULL;

CREATE INDEX accounts_owner_id ON accounts(owner_id);
CREATE INDEX opportunities_owner_id ON opportunities(owner_id, status);
CREATE INDEX activities_owner_id ON activities(owner_id);
