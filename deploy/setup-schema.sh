#!/bin/sh
# Create Temporal's two PostgreSQL databases and bring their schemas up to the version this
# admin-tools release carries. Idempotent: runs on every `docker compose up` (admin-tools image).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
SQL="temporal-sql-tool --plugin postgres12 --ep ${POSTGRES_SEEDS} -u ${POSTGRES_USER} -p 5432"
SCHEMA=/etc/temporal/schema/postgresql/v12

until nc -z -w 5 "${POSTGRES_SEEDS}" 5432; do
  echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:5432 ..."
  sleep 2
done

for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  # `create` fails when the database exists: that is the idempotent case, not an error.
  $SQL --db "$db" create || echo "database $db exists"
  # setup-schema -v 0.0 only initialises an empty database; update-schema applies what is missing.
  $SQL --db "$db" setup-schema -v 0.0 || echo "schema of $db already initialised"
  $SQL --db "$db" update-schema -d "$SCHEMA/$dir/versioned"
done
echo "Temporal schemas are up to date"
