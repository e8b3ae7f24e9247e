#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite.
# 1. one already answers: done;  2. a cluster is installed: start it;
# 3. none is installed and we are root: install Debian's postgresql, allow local
#    trust auth for the test role, start it. Otherwise say what to do.
set -u
host=127.0.0.1; port=5432
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null || \
  (command -v python3 >/dev/null && python3 - "$host" "$port" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
); }
if ready; then echo "postgres: answering on $host:$port"; exit 0; fi

start_cluster() {
  local ver
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$ver" ] || return 1
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start
}

if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "postgres: none answers on $host:$port and I am not root to install one." >&2
    echo "  Install PostgreSQL (apt-get install postgresql) or set AIWATCH_TEST_PG_URL." >&2
    exit 0   # the PostgreSQL tests then skip locally, and fail under CI=true
  fi
  echo "postgres: installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  # Test-only server on loopback: trust local connections, as on this project's machines.
  sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)\s(peer|scram-sha-256|md5)$/\1\2 trust/' "$hba"
  sed -i -E 's/^(local\s+all\s+postgres\s+)peer$/\1trust/' "$hba"
fi
start_cluster
for _ in $(seq 1 30); do ready && { echo "postgres: started on $host:$port"; exit 0; }; sleep 1; done
echo "postgres: could not start a server on $host:$port" >&2
exit 0
