# Shared by .ci/serve and .ci/run: installs what the build and tests need, idempotently.
# Only crates.io, npm and Debian packages are used; nothing is downloaded from anywhere else.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
CARGO_LEPTOS_VERSION=0.3.10

log() { printf '\n==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The wasm-bindgen CLI must equal the library version in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_build_tools() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    log "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 11 minutes, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wbg; wbg="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
    log "Installing wasm-bindgen-cli $wbg"
    # Not --locked: its lock file pins a webpki-roots release that crates.io no longer serves.
    cargo install wasm-bindgen-cli --version "$wbg"
  fi
  # wasm-opt (binaryen from npm) and Playwright, pinned in end2end/package-lock.json.
  local stamp="$ROOT/end2end/node_modules/.installed-lock"
  if ! cmp -s "$ROOT/end2end/package-lock.json" "$stamp" 2>/dev/null; then
    log "Installing end2end npm packages"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp "$ROOT/end2end/package-lock.json" "$stamp"
  fi
}

ensure_test_tools() {
  apt_install chromium postgresql fonts-noto-cjk
}

build_release() {
  log "Building the console (release: server + size-optimised WASM)"
  cargo leptos build --release --split --precompress
}

# For the size gate and the screenshots: the release console on a fresh SQLite database in
# $1, with the administrator's password from $1/admin-password and e-mail to a loopback SMTP
# port (the Playwright run's mail sink, end2end/mail-sink.ts). Sets CONSOLE_PID, CONSOLE_URL
# and SMTP_PORT, and waits until the console is ready.
start_release_console() {
  local data="$1" port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  SMTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  CONSOLE_URL="http://127.0.0.1:$port"
  LEPTOS_SITE_ROOT="$ROOT/target/site" "$ROOT/target/release/server" --listen "127.0.0.1:$port" \
    --data-dir "$data" --database-url "sqlite:$data/console.db?mode=rwc" \
    --admin-password-file "$data/admin-password" --smtp-url "smtp://127.0.0.1:$SMTP_PORT" \
    >"$data/server.log" 2>&1 &
  CONSOLE_PID=$!
  for _ in $(seq 1 100); do curl -fsS "$CONSOLE_URL/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  cat "$data/server.log"; return 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A throwaway PostgreSQL for the run, in $WORK/pg (the caller makes $WORK and calls
# stop_postgres on exit). Sets PG_PORT, PG_BIN and ONCALL_TEST_PG_ADMIN_URL.
PG_PORT=""
start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  PG_PORT="$(free_port)"
  mkdir -p "$WORK/pg" && chown postgres "$WORK" "$WORK/pg" && chmod 755 "$WORK"
  log "Starting a throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
  as_root runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg" --auth=trust -U postgres >/dev/null
  as_root runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $WORK/pg -c fsync=off -c max_connections=300" start >/dev/null
  export ONCALL_TEST_PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}
stop_postgres() {
  if [ -n "$PG_PORT" ]; then as_root runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true; fi
}

# Playwright against the release console on a fresh database: run_e2e sqlite|postgres [args…];
# the arguments go to `playwright test`. Specs run in a shuffled order unless the arguments say
# --shuffle themselves: the seed is printed, and E2E_SHUFFLE_SEED=<seed> repeats an order. A
# failed test is named with the server log written while it ran (end2end/reporter.ts).
run_e2e() {
  local db="$1"; shift
  local port data url pid smtp seed args=("$@")
  port="$(free_port)"; data="$WORK/e2e-$db"; mkdir -p "$data"
  if [ "$db" = postgres ]; then
    as_root runuser -u postgres -- psql -q -h 127.0.0.1 -p "$PG_PORT" -c "CREATE DATABASE e2e" >/dev/null
    url="postgres://postgres@127.0.0.1:$PG_PORT/e2e"
  else
    url="sqlite:$data/console.db?mode=rwc"
  fi
  if [[ " ${args[*]} " != *" --shuffle"* ]]; then
    seed="${E2E_SHUFFLE_SEED:-$((RANDOM * 32768 + RANDOM))}"
    args+=(--shuffle "$seed")
  fi
  log "Playwright on $db (server on 127.0.0.1:$port)${seed:+, specs shuffled with seed $seed (E2E_SHUFFLE_SEED=$seed repeats the order)}"
  # E-mail goes to the run's loopback SMTP server (end2end/mail-sink.ts, started by Playwright).
  # One trusted proxy hop: a spec's phone says its own address in X-Forwarded-For (ownAddress()
  # in end2end/tests/helpers.ts), so per-address rate limits count one spec's requests only.
  smtp="$(free_port)"
  LEPTOS_SITE_ROOT="$ROOT/target/site" "$ROOT/target/release/server" --listen "127.0.0.1:$port" \
    --data-dir "$data" --database-url "$url" --smtp-url "smtp://127.0.0.1:$smtp" \
    --trusted-proxy-hops 1 >"$data/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$data/server.log"; return 1; }
    sleep 0.2
  done
  local status=0
  (cd "$ROOT/end2end" && E2E_BASE_URL="http://127.0.0.1:$port" E2E_DATA_DIR="$data" E2E_SMTP_PORT="$smtp" \
    E2E_SERVER_LOG="$data/server.log" npx playwright test "${args[@]}") || status=$?
  kill "$pid"; wait "$pid" 2>/dev/null || true
  if [ "$status" != 0 ]; then echo "Playwright on $db failed; the failed specs and their server logs are above."; fi
  return "$status"
}
