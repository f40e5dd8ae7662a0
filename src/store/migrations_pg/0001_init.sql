-- bingfa schema version 1 (PostgreSQL): accounts, contacts, opportunities,
-- activities. The same schema as src/store/migrations/0001_init.sql: money is
-- integer fen; times are UTC ISO 8601 text; ids are random text; every
-- integer is BIGINT, as SQLite's are 64 bits.

CREATE TABLE accounts (
    id               TEXT PRIMARY KEY,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    name             TEXT NOT NULL,
    industry         TEXT,
    region           TEXT,
    ownership        TEXT,
    business_type    TEXT,
    employees        BIGINT,
    annual_revenue   BIGINT,
    gross_profit     BIGINT,
    existing_systems TEXT,
    branches         BIGINT,
    it_landscape     TEXT,
    parent_id        TEXT REFERENCES accounts(id) ON DELETE RESTRICT,
    owner            TEXT,
    notes            TEXT
);
CREATE INDEX accounts_created ON accounts(created_at, id);
CREATE INDEX accounts_name ON accounts(name, id);
CREATE INDEX accounts_owner ON accounts(owner);
CREATE INDEX accounts_parent ON accounts(parent_id);

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
    name         TEXT NOT NULL,
    title        TEXT,
    department   TEXT,
    reports_to   TEXT REFERENCES contacts(id) ON DELETE SET NULL,
    buying_role  TEXT,
    attitude     TEXT,
    influence    BIGINT,
    phone        TEXT,
    email        TEXT,
    personal_win TEXT,
    notes        TEXT
);
CREATE INDEX contacts_created ON contacts(created_at, id);
CREATE INDEX contacts_account ON contacts(account_id);
CREATE INDEX contacts_reports_to ON contacts(reports_to);

CREATE TABLE opportunities (
    id               TEXT PRIMARY KEY,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    account_id       TEXT NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
    name             TEXT NOT NULL,
    amount           BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),
    currency         TEXT NOT NULL DEFAULT 'CNY',
    budget           BIGINT,
    expected_close   TEXT,
    playbook         TEXT NOT NULL,
    stage            TEXT NOT NULL,
    probability      BIGINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
    sales_mode       TEXT,
    owner            TEXT,
    status           TEXT NOT NULL DEFAULT 'open',
    close_reason     TEXT,
    compelling_event TEXT,
    competitors      TEXT,
    products         TEXT,
    description      TEXT
);
CREATE INDEX opportunities_created ON opportunities(created_at, id);
CREATE INDEX opportunities_account ON opportunities(account_id);
CREATE INDEX opportunities_owner ON opportunities(owner, status);
CREATE INDEX opportunities_close ON opportunities(expected_close);
CREATE INDEX opportunities_stage ON opportunities(playbook, stage);

CREATE TABLE activities (
    id             TEXT PRIMARY KEY,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    opportunity_id TEXT REFERENCES opportunities(id) ON DELETE SET NULL,
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
    type           TEXT NOT NULL,
    subject        TEXT,
    planned_at     TEXT,
    done_at        TEXT,
    purpose        TEXT,
    outcome        TEXT,
    next_step      TEXT,
    next_step_date TEXT,
    contacts       TEXT,
    owner          TEXT
);
CREATE INDEX activities_created ON activities(created_at, id);
CREATE INDEX activities_opportunity ON activities(opportunity_id);
CREATE INDEX activities_account ON activities(account_id);
CREATE INDEX activities_planned ON activities(planned_at);
