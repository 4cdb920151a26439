# shellcheck shell=bash
# Throwaway services for the test suite: Debian packages, PostgreSQL and Redis on loopback.
#
# Source this file, then call:
#   services_install_packages PKG...   as root: apt-get install the missing ones (no-op otherwise)
#   services_start_postgres            sets ONESTOP_TEST_PG_URL on success, returns 1 on failure
#   services_start_redis               sets ONESTOP_TEST_REDIS_URL on success, returns 1 on failure
#   services_stop                      stops both and removes their data (safe to call twice)
#   services_banner LINE...            prints a banner that cannot be missed
#
# Everything lives in one temporary directory (SERVICES_DIR) that services_stop removes.
# Ports: ONESTOP_TEST_PG_PORT (default 55432) and ONESTOP_TEST_REDIS_PORT (default 56379);
# when a port is taken, the next free one is used.

SERVICES_DIR=${SERVICES_DIR:-}
SERVICES_PG_BIN=""
SERVICES_PG_DATA=""
SERVICES_REDIS_PIDFILE=""

services_banner() {
  local line
  echo
  echo "########################################################################################"
  for line in "$@"; do
    echo "###  $line"
  done
  echo "########################################################################################"
  echo
}

services_log() {
  echo "==> $*"
}

# True when every named Debian package is installed.
_services_pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

services_install_packages() {
  local missing=() pkg
  command -v dpkg-query >/dev/null 2>&1 || {
    services_log "not a Debian system: not installing $*"
    return 0
  }
  for pkg in "$@"; do
    _services_pkg_installed "$pkg" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    services_banner "MISSING DEBIAN PACKAGES: ${missing[*]}" \
      "Not root, so not installing them. Install them with:" \
      "  sudo apt-get install ${missing[*]}"
    return 0
  fi
  services_log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

_services_dir() {
  if [ -z "$SERVICES_DIR" ]; then
    SERVICES_DIR=$(mktemp -d /tmp/onestop-services.XXXXXX)
    chmod 755 "$SERVICES_DIR"
  fi
}

# Print the first free TCP port on 127.0.0.1 at or above $1.
_services_free_port() {
  local port=$1
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

_services_find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

# Run a PostgreSQL program as the `postgres` user when we are root (initdb refuses root).
_services_as_pg() {
  # From /, so that `postgres` is not refused access to the caller's working directory.
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

services_start_postgres() {
  local port log
  SERVICES_PG_BIN=$(_services_find_pg_bin) || {
    services_log "PostgreSQL binaries (initdb, pg_ctl) not found"
    return 1
  }
  if [ "$(id -u)" -eq 0 ] && ! getent passwd postgres >/dev/null; then
    services_log "running as root but there is no 'postgres' user to run PostgreSQL as"
    return 1
  fi
  _services_dir
  SERVICES_PG_DATA="$SERVICES_DIR/pgdata"
  mkdir -p "$SERVICES_DIR/pgsock"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$SERVICES_DIR/pgsock"
    install -d -o postgres "$SERVICES_PG_DATA"
  fi
  log="$SERVICES_DIR/postgres.log"
  : >"$log"
  [ "$(id -u)" -eq 0 ] && chown postgres "$log"
  port=$(_services_free_port "${ONESTOP_TEST_PG_PORT:-55432}")
  services_log "starting a throwaway PostgreSQL ($("$SERVICES_PG_BIN/postgres" --version)) on 127.0.0.1:$port"
  if ! _services_as_pg "$SERVICES_PG_BIN/initdb" -D "$SERVICES_PG_DATA" -U onestop --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$SERVICES_DIR/initdb.log" 2>&1; then
    cat "$SERVICES_DIR/initdb.log"
    return 1
  fi
  # Durability is worthless for a database that is deleted after the run: turn it off for speed.
  if ! _services_as_pg "$SERVICES_PG_BIN/pg_ctl" -D "$SERVICES_PG_DATA" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$SERVICES_DIR/pgsock \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >/dev/null; then
    tail -n 30 "$log"
    return 1
  fi
  if ! _services_as_pg "$SERVICES_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U onestop onestop; then
    return 1
  fi
  ONESTOP_TEST_PG_URL="postgres://onestop:onestop@127.0.0.1:$port/onestop"
  export ONESTOP_TEST_PG_URL
}

services_start_redis() {
  local port server i
  server=$(command -v redis-server || true)
  if [ -z "$server" ]; then
    services_log "redis-server not found"
    return 1
  fi
  _services_dir
  port=$(_services_free_port "${ONESTOP_TEST_REDIS_PORT:-56379}")
  SERVICES_REDIS_PIDFILE="$SERVICES_DIR/redis.pid"
  services_log "starting a throwaway Redis ($("$server" --version | awk '{print $3}')) on 127.0.0.1:$port"
  "$server" --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICES_REDIS_PIDFILE" --dir "$SERVICES_DIR" \
    --logfile "$SERVICES_DIR/redis.log" --protected-mode yes || return 1
  for i in $(seq 1 50); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      ONESTOP_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
      export ONESTOP_TEST_REDIS_URL
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$SERVICES_DIR/redis.log" 2>/dev/null || true
  return 1
}

services_stop() {
  local pid
  if [ -n "$SERVICES_PG_DATA" ] && [ -f "$SERVICES_PG_DATA/postmaster.pid" ]; then
    _services_as_pg "$SERVICES_PG_BIN/pg_ctl" -D "$SERVICES_PG_DATA" -m immediate -w stop \
      >/dev/null 2>&1 || true
  fi
  if [ -n "$SERVICES_REDIS_PIDFILE" ] && [ -f "$SERVICES_REDIS_PIDFILE" ]; then
    pid=$(cat "$SERVICES_REDIS_PIDFILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  if [ -n "$SERVICES_DIR" ] && [ -d "$SERVICES_DIR" ]; then
    rm -rf "$SERVICES_DIR"
  fi
  SERVICES_DIR=""
  SERVICES_PG_DATA=""
  SERVICES_REDIS_PIDFILE=""
}
