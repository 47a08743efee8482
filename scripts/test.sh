#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || need_apt+=(fonts-wqy-microhei fontconfig)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python -m pip install -q --disable-pip-version-check -e '.[test]'

# axe-core (from npm) is injected into pages by the accessibility tests in tests/test_browser.py.
axe=.cache/axe/node_modules/axe-core/axe.min.js
[ -f "$axe" ] || npm install --silent --no-save --no-audit --no-fund --prefix .cache/axe 'axe-core@^4.10'

ruff check src tests benchmarks
ruff format --check src tests benchmarks
mypy
lint-imports --no-cache
# The whole suite (-m "" lifts the quick-tier default of pyproject.toml's addopts), in two
# worker processes (pytest-xdist; fewer on a one-core machine). --dist loadgroup keeps each
# xdist_group (the browser tests, the example archive's) on one worker, where its
# module-scoped build and server are made once. No cache folder in the repository.
workers=$(nproc 2>/dev/null || echo 1)
[ "$workers" -le 2 ] || workers=2
python -m pytest -q -m "" -n "$workers" --dist loadgroup -p no:cacheprovider "$@"
