#!/usr/bin/env bash
# First start of the PostgreSQL container: one login role and one database per service, each
# owned by its role (no service can read another's data). Passwords come from the container's
# <NAME>_DB_PASSWORD variables (compose.yaml). On a managed server or with CloudNativePG, make
# the same four roles and databases there instead (docs/runbooks/deploying-an-edition.md).
set -euo pipefail
for service in registration matchmaking notification billing; do
  password_variable="${service^^}_DB_PASSWORD"
  password="${!password_variable:?$password_variable is not set}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
