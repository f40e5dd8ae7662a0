-- bingfa schema version 35 (PostgreSQL): one home for each shared fact of a
-- deal, as src/store/migrations/0035_deal_facts.sql: a deal without a budget
-- takes its MANT's money.budget, a deal's own budget is kept, and MANT's
-- copy is dropped.
UPDATE opportunities o
   SET budget = (f.data::jsonb #>> '{money,budget}')::bigint,
       version = o.version + 1
  FROM forms f
 WHERE o.budget IS NULL
   AND f.owner_kind = 'opportunity' AND f.owner_id = o.id AND f.form = 'mant'
   AND jsonb_typeof(f.data::jsonb #> '{money,budget}') = 'number';
UPDATE forms
   SET data = (data::jsonb #- '{money,budget}')::text
 WHERE owner_kind = 'opportunity' AND form = 'mant'
   AND data::jsonb #> '{money,budget}' IS NOT NULL;
