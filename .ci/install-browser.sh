#!/usr/bin/env bash
# Install Debian's headless Chromium and its WebDriver for tests/test_browser.py.
# Idempotent and quiet: does nothing when both are already there. Exit status 0 on success,
# non-zero (with one line on stderr) when they cannot be installed; the browser test then
# skips and says why.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get here; install chromium and chromium-driver by hand" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install-browser: not root and no password-less sudo; install chromium and chromium-driver by hand" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt may be busy (another install on the machine): wait for its lock rather than fail.
if ! { $SUDO apt-get -qq -o DPkg::Lock::Timeout=300 update &&
       $SUDO apt-get -qq -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
           chromium chromium-driver; } >"$log" 2>&1; then
    echo "install-browser: apt-get failed:" >&2
    tail -n 5 "$log" >&2
    exit 1
fi
command -v chromium >/dev/null && command -v chromedriver >/dev/null
