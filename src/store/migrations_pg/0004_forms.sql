-- bingfa schema version 4 (PostgreSQL): the forms of the sales tools and the
-- settings, as src/store/migrations/0004_forms.sql.

CREATE TABLE forms (
    owner_kind TEXT NOT NULL,     -- 'opportunity' or 'account'
    owner_id   TEXT NOT NULL,
    form       TEXT NOT NULL,
    data       TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (owner_kind, owner_id, form)
);

-- Forms go with their owner.
CREATE FUNCTION forms_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM forms WHERE owner_kind = TG_ARGV[0] AND owner_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_forms_cleanup AFTER DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION forms_cleanup('opportunity');
CREATE TRIGGER accounts_forms_cleanup AFTER DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION forms_cleanup('account');

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

-- Whether an opportunity's MANT is complete (see the SQLite migration).
ALTER TABLE opportunities ADD COLUMN mant_complete BIGINT NOT NULL DEFAULT 0;
