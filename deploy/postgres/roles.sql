-- One PostgreSQL role and one database per service: each service can connect only to its own
-- database, where it owns the tables its migrations create. No service can read another's.
--
-- Run as a superuser (or your cloud's admin role, which needs CREATEROLE and CREATEDB), with
-- the four passwords as psql variables:
--
--   psql "$ADMIN_URL" -v ON_ERROR_STOP=1 \
--     -v auth_password="$AUTH_PW" -v score_password="$SCORE_PW" \
--     -v analysis_password="$ANALYSIS_PW" -v billing_password="$BILLING_PW" \
--     -f deploy/postgres/roles.sql
--
-- Safe to run again: existing roles get the given password (that is how to rotate one) and
-- existing databases are left as they are. Each service's DATABASE_URL is then
--   postgres://aval_<service>:<password>@<host>:5432/aval_<service>
-- e.g. postgres://aval_score:…@db.internal:5432/aval_score?sslmode=require
--
-- The services migrate their own schema at start (there is no separate migration role yet),
-- so each role owns its database and may create tables in it.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY['aval_auth', 'aval_score', 'aval_analysis', 'aval_billing']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec

-- CREATE ROLE's defaults are what a service needs: log in, nothing more (no superuser, no role
-- or database creation, no replication, no row-level-security bypass). Passwords are set on
-- every run.
ALTER ROLE aval_auth PASSWORD :'auth_password';
ALTER ROLE aval_score PASSWORD :'score_password';
ALTER ROLE aval_analysis PASSWORD :'analysis_password';
ALTER ROLE aval_billing PASSWORD :'billing_password';

SELECT format('CREATE DATABASE %I OWNER %I', r, r) FROM unnest(ARRAY['aval_auth', 'aval_score', 'aval_analysis', 'aval_billing']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = r) \gexec

-- A database is open to PUBLIC by default: only its owner may connect to it. (Since
-- PostgreSQL 15 the owner alone may also create in its `public` schema; before 15 anyone
-- connected could, and no other role can connect.)
REVOKE ALL ON DATABASE aval_auth FROM PUBLIC;
REVOKE ALL ON DATABASE aval_score FROM PUBLIC;
REVOKE ALL ON DATABASE aval_analysis FROM PUBLIC;
REVOKE ALL ON DATABASE aval_billing FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE aval_auth TO aval_auth;
GRANT CONNECT, TEMPORARY ON DATABASE aval_score TO aval_score;
GRANT CONNECT, TEMPORARY ON DATABASE aval_analysis TO aval_analysis;
GRANT CONNECT, TEMPORARY ON DATABASE aval_billing TO aval_billing;
