-- bingfa schema version 18: a bulk load into a database without deals
-- (bingfa import) drops the deals' secondary indexes, keeps their
-- definitions here and builds them again from the data at its end: a row is
-- then appended instead of being put into some thirty b-trees. Opening the
-- database builds any still listed, so a load that stopped half-way leaves
-- no index missing (src/store/store_sqlite.c, store_bulk_defer_indexes).
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
);
