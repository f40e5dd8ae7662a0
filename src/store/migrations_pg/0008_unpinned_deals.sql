-- bingfa schema version 8 (PostgreSQL): the deals that run on no playbook
-- version yet have an index of their own, as
-- src/store/migrations/0008_unpinned_deals.sql.
CREATE INDEX opportunities_unpinned ON opportunities(playbook) WHERE playbook_version IS NULL;
