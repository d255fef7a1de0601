# Sourced by the postgres image's entrypoint once, when the data directory is new, while a
# temporary server listens on the local socket only: creates the services' roles and databases.
psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname postgres \
    -v auth_password="$(cat /run/secrets/postgres/auth)" \
    -v score_password="$(cat /run/secrets/postgres/score)" \
    -v analysis_password="$(cat /run/secrets/postgres/analysis)" \
    -v billing_password="$(cat /run/secrets/postgres/billing)" \
    -f /etc/postgres-init/roles.sql
