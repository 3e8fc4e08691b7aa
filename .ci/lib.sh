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
