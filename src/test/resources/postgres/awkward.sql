CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE SCHEMA app;
CREATE SCHEMA "Mixed Case";
COMMENT ON SCHEMA app IS 'the application';

CREATE TYPE app.status AS ENUM ('draft', 'sent', 'paid', 'it''s odd');
CREATE TYPE app.money_amount AS (currency char(3), amount numeric(14,2));
CREATE DOMAIN app.email AS text CONSTRAINT has_at CHECK (VALUE ~ '@');
CREATE DOMAIN app.positive AS numeric(12,4) DEFAULT 1 CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE app.float_range AS RANGE (subtype = float8);
COMMENT ON TYPE app.status IS 'invoice states';

CREATE SEQUENCE app.invoice_no START 1000 INCREMENT 7;

CREATE FUNCTION app.tenant_of(c bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT c % 10 $$;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE PROCEDURE app.noop(x int) LANGUAGE plpgsql AS $$ BEGIN PERFORM x; END $$;
COMMENT ON FUNCTION app.tenant_of(bigint) IS 'tenant of a company id';

CREATE TABLE app.companies (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 3) PRIMARY KEY,
  tenant_id bigint NOT NULL,
  name text NOT NULL UNIQUE,
  status app.status DEFAULT 'draft',
  contact app.email,
  token text DEFAULT encode(public.gen_random_bytes(4), 'hex'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz,
  CONSTRAINT tenant_ok CHECK (app.tenant_of(tenant_id) >= 0)
);
CREATE FUNCTION app.company_label(c app.companies) RETURNS text LANGUAGE sql AS $$ SELECT c.name || '#' || c.id $$;

CREATE TABLE app.invoices (
  id serial PRIMARY KEY,
  tenant_id bigint NOT NULL,
  company_id bigint NOT NULL REFERENCES app.companies (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  number bigint NOT NULL DEFAULT nextval('app.invoice_no'),
  total numeric(20,6) CHECK (total >= 0),
  amount app.money_amount,
  net numeric GENERATED ALWAYS AS (total / 1.2) STORED,
  lines jsonb,
  tags text[],
  pdf bytea,
  note text COLLATE "C",
  period tstzrange,
  fr app.float_range,
  qty app.positive,
  ratio double precision,
  due date,
  at_local timestamp,
  span interval
);
COMMENT ON TABLE app.invoices IS 'bills; with ''quotes''';
COMMENT ON COLUMN app.invoices.total IS 'gross';

CREATE TABLE app.bookings (
  id int PRIMARY KEY,
  company_id bigint,
  during tsrange,
  CONSTRAINT no_overlap EXCLUDE USING gist (company_id WITH =, during WITH &&)
);
CREATE RULE bookings_no_delete AS ON DELETE TO app.bookings DO INSTEAD NOTHING;

CREATE TABLE "Mixed Case"."Order" (
  "Select" int PRIMARY KEY,
  "from" text,
  "user" text,
  "Ünïcødé" text,
  parent int REFERENCES "Mixed Case"."Order" ("Select")
);

CREATE TABLE app.events (id bigint NOT NULL, tenant_id int NOT NULL, at timestamptz NOT NULL, payload text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY LIST (tenant_id);
CREATE TABLE app.events_2026_t1 PARTITION OF app.events_2026 FOR VALUES IN (1);
CREATE TABLE app.events_2026_rest PARTITION OF app.events_2026 DEFAULT;
CREATE TABLE app.events_other PARTITION OF app.events DEFAULT;
ALTER TABLE app.events ADD PRIMARY KEY (id, at, tenant_id);
CREATE INDEX events_tenant ON app.events (tenant_id);
COMMENT ON INDEX app.events_tenant IS 'per tenant';

CREATE INDEX invoices_lines ON app.invoices USING gin (lines);
CREATE UNIQUE INDEX invoices_number ON app.invoices (tenant_id, number) WHERE total IS NOT NULL;
CREATE INDEX companies_lower_name ON app.companies (lower(name) text_pattern_ops);

CREATE TABLE app.docs (id int PRIMARY KEY, tenant_id int, body text, blob bytea);
CREATE SEQUENCE app.doc_seq OWNED BY app.docs.id;
ALTER TABLE app.docs ALTER COLUMN id SET DEFAULT nextval('app.doc_seq');
ALTER TABLE app.docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY docs_all ON app.docs USING (tenant_id IS NOT NULL) WITH CHECK (true);
CREATE UNLOGGED TABLE app.cache (k text PRIMARY KEY, v text) WITH (fillfactor = 70);

CREATE VIEW app.open_invoices AS
  SELECT i.id, c.name, app.company_label(c) AS label FROM app.invoices i JOIN app.companies c ON c.id = i.company_id WHERE i.total > 0;
CREATE VIEW app.open_count AS SELECT count(*) AS n FROM app.open_invoices;
CREATE MATERIALIZED VIEW app.totals AS SELECT tenant_id, sum(total) AS s FROM app.invoices GROUP BY tenant_id;
CREATE UNIQUE INDEX totals_tenant ON app.totals (tenant_id);
COMMENT ON VIEW app.open_count IS 'how many';

CREATE TRIGGER companies_touch BEFORE UPDATE ON app.companies FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE TRIGGER companies_touch_off BEFORE INSERT ON app.companies FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.companies DISABLE TRIGGER companies_touch_off;
COMMENT ON TRIGGER companies_touch ON app.companies IS 'keeps updated_at';
COMMENT ON CONSTRAINT tenant_ok ON app.companies IS 'sane tenant';

-- data
INSERT INTO app.companies (tenant_id, name, status, contact, created_at)
SELECT g % 5, CASE g % 6
    WHEN 0 THEN 'plain ' || g
    WHEN 1 THEN E'tab\there ' || g
    WHEN 2 THEN E'new\nline\r\n ' || g
    WHEN 3 THEN E'back\\slash \\N ' || g
    WHEN 4 THEN 'ünïcødé 😀 日本 ' || g
    ELSE '' || g || ' "quoted" ''single''' END,
  (ARRAY['draft', 'sent', 'paid', 'it''s odd'])[1 + g % 4]::app.status,
  CASE WHEN g % 3 = 0 THEN NULL ELSE 'user' || g || '@example.com' END,
  timestamptz '2025-03-30 01:30:00+01' + g * interval '37 minutes 12.345678 seconds'
FROM generate_series(1, 60) g;
UPDATE app.companies SET name = name WHERE id % 7 = 0;

INSERT INTO app.invoices (tenant_id, company_id, total, amount, lines, tags, pdf, note, period, fr, qty, ratio, due, at_local, span)
SELECT c.tenant_id, c.id,
  CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 1234567.123456 / 1000)::numeric(20,6) END,
  ROW('EUR', g * 1.5)::app.money_amount,
  jsonb_build_object('items', jsonb_build_array(g, 'x' || chr(9) || 'y', 'ü'), 'nested', jsonb_build_object('a', NULL, 'b', E'\\')),
  ARRAY['a', NULL, 'with space', 'quote"', E'back\\slash', ''],
  CASE WHEN g % 4 = 0 THEN NULL ELSE decode(md5(g::text) || '00ff0a0d5c', 'hex') END,
  CASE g % 3 WHEN 0 THEN '' WHEN 1 THEN NULL ELSE E'line1\nline2\ttab' END,
  tstzrange(timestamptz '2026-01-01 00:00+00' + g * interval '1 hour', timestamptz '2026-01-01 00:00+00' + (g + 1) * interval '1 hour'),
  app.float_range(g / 3.0, g / 2.0 + 1),
  (g % 97 + 0.0001)::numeric(12,4),
  g / 7.0::float8,
  date '2026-02-28' + g,
  timestamp '2026-06-01 12:00' + g * interval '1 second',
  (g || ' days 3 hours')::interval
FROM generate_series(1, 3000) g JOIN app.companies c ON c.id = 10 + 3 * (g % 60);

INSERT INTO app.bookings SELECT g, 10 + 3 * (g % 60), tsrange(timestamp '2026-01-01' + g * interval '1 day', timestamp '2026-01-01' + (g + 1) * interval '1 day') FROM generate_series(1, 100) g;

INSERT INTO "Mixed Case"."Order" VALUES (1, E'a\\b', 'select', 'Ωmega', NULL), (2, E'\t', E'\n', '', 1), (3, NULL, '\N', 'null', 2);

INSERT INTO app.events SELECT g, g % 3, timestamptz '2025-06-01' + g * interval '3 hours', repeat('p', g % 50) FROM generate_series(1, 6000) g;

INSERT INTO app.docs (tenant_id, body, blob)
SELECT g % 3, (SELECT string_agg(md5(g::text || s::text), ' ') FROM generate_series(1, 8000) s), decode(repeat(md5(g::text), 2000), 'hex')
FROM generate_series(1, 6) g;
INSERT INTO app.cache VALUES ('k1', 'v1'), ('k2', NULL);

REFRESH MATERIALIZED VIEW app.totals;
SELECT nextval('app.invoice_no') FROM generate_series(1, 5);
