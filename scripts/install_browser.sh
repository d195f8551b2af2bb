#!/usr/bin/env bash
# Install Debian's chromium + chromium-driver for the end-to-end web tests (tests/api/test_web_e2e.py).
# Idempotent: does nothing when both binaries (and a CJK font, so the Chinese page and its
# screenshots render glyphs rather than boxes) already exist. Never downloads a browser from anywhere
# but the distribution's apt repositories. Needs root (or sudo) the first time.
set -euo pipefail

CJK_FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver && -e "$CJK_FONT" ]]; then
    echo "install_browser: chromium and chromedriver already present"
    exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_browser: need root (or sudo) to apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-noto-cjk
echo "install_browser: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
