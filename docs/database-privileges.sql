-- The portal's two database roles (README, "Two database roles"; docs/deployment.md).
--
-- Run in the portal's database, as its owner or as a superuser, before the first
-- `flask db upgrade` (and again on an existing database, to give a new serving role its rights):
--
--   psql -d portal -v owner=portal_owner -v app=portal_app -f docs/database-privileges.sql
--
-- `owner` owns the schema and changes it: `flask db upgrade` and `flask restore` connect as it
-- (MIGRATION_DATABASE_URL). `app` is the role the portal serves as (DATABASE_URL): it reads and
-- writes the rows of every table but changes no table, cannot switch a trigger off, and on the
-- audit trail may only read and add entries.
\set ON_ERROR_STOP on

-- Only the owner creates tables (before PostgreSQL 15 every role could create in public).
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Every table and sequence the owner creates from now on (each migration's new tables)...
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
-- ...and those already there.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";

-- The audit trail: reading and adding only. The migration a8e3c51f7d20 (and `flask restore`)
-- take the rest back from every role but the owner when they create or alter the table.
SELECT to_regclass('public.audit_entries') IS NOT NULL AS has_audit_trail \gset
\if :has_audit_trail
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_entries FROM :"app";
\endif
