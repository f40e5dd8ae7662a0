-- bingfa schema version 8: the deals that run on no playbook version yet
-- (stored before playbooks had versions) are found through an index of their
-- own, which holds only them: pinning them at start
-- (store_opportunity_pin_playbook_version) no longer reads every deal, and
-- costs nothing once they are pinned.
CREATE INDEX opportunities_unpinned ON opportunities(playbook) WHERE playbook_version IS NULL;
