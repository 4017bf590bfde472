#!/usr/bin/env bash
# What `make test` needs besides Python: Debian's Chromium (browser tests) and a local
# PostgreSQL on 127.0.0.1 (the second test pass). Installs them with apt-get when they
# are missing and this user may (root, or sudo without a password), starts the packaged
# cluster, makes a throwaway database, and prints its URL on stdout: the only thing
# printed there. Idempotent; fast when everything is already in place. When nothing can
# be installed it says so in one line on stderr, prints nothing, and exits 0, so
# `make test` still runs the SQLite pass (the browser tests then skip, naming why).
set -uo pipefail

say() { echo "test services: $*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
fi

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$SUDO" = "none" ]; then
    say "cannot install ${need[*]} (not root, no passwordless sudo); run: sudo apt-get install ${need[*]}"
  elif ! command -v apt-get >/dev/null 2>&1; then
    say "cannot install ${need[*]}: no apt-get on this machine; install them by hand"
  else
    say "installing ${need[*]} with apt-get (once)"
    if ! { $SUDO apt-get update -qq >/dev/null 2>&1 &&
           DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; }; then
      say "apt-get could not install ${need[*]} (no network to the package mirror?)"
    fi
  fi
fi

command -v pg_ctlcluster >/dev/null 2>&1 || exit 0

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  elif [ "$SUDO" = "sudo" ]; then sudo -u postgres "$@"
  else return 1; fi
}
ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
[ -n "$ver" ] || { say "PostgreSQL is installed but has no server version"; exit 0; }
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$ver main"; then
  ${SUDO#none} pg_createcluster "$ver" main >/dev/null 2>&1 || true
fi
${SUDO#none} pg_ctlcluster "$ver" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
if ! pg_isready -q -h 127.0.0.1; then
  say "PostgreSQL did not start on 127.0.0.1; the PostgreSQL pass is skipped"
  exit 0
fi
DB="${TENSION_CI_DB:-tension_test}"
if ! as_pg psql -q -c "DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tension') THEN
      CREATE ROLE tension LOGIN PASSWORD 'tension';
    END IF; END\$\$;" >/dev/null 2>&1; then
  say "cannot create the test role (no access as the postgres user); the PostgreSQL pass is skipped"
  exit 0
fi
as_pg dropdb --if-exists "$DB" >/dev/null 2>&1 || true
as_pg createdb -O tension "$DB" >/dev/null 2>&1 || { say "cannot create database $DB"; exit 0; }
echo "postgresql+psycopg://tension:tension@127.0.0.1:5432/$DB"
