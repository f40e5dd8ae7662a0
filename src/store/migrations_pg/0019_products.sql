-- bingfa schema version 19 (PostgreSQL): the price list (价格表), a resource like the
-- directory's (src/core/resource.c, product_fields). Rates are hundredths of
-- a percent (13 % is 1300), money integer fen.
CREATE TABLE products (
    id               TEXT PRIMARY KEY,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    name_en          TEXT,
    kind             TEXT NOT NULL,
    unit             TEXT NOT NULL,
    unit_en          TEXT,
    decimal_quantity INTEGER,
    list_price       BIGINT,
    ratio            INTEGER,
    tax_rate         INTEGER,
    cost             BIGINT,
    active           INTEGER NOT NULL DEFAULT 1,
    description      TEXT
);
CREATE INDEX products_created ON products(created_at, id);
