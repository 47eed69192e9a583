#!/usr/bin/env bash
# Installs moto's server (PyPI moto[server], Apache-2.0), the loopback DynamoDB, EventBridge and SQS the session API's
# tests run the real AWS SDK clients against, into a Python environment of its own (.tools/moto, git-ignored).
#
#   bash scripts/moto.sh          print the path of moto_server; install it first if needed
#   bash scripts/moto.sh --find   the same, but never install: exit 3, saying why, when there is none
set -euo pipefail
cd "$(dirname "$0")/.."
version="5.2.5"
dir="$PWD/.tools/moto-$version"
server="$dir/bin/moto_server"
if [ -x "$server" ] && [ -f "$dir/.complete" ]; then
    echo "$server"
    exit 0
fi
if [ "${1:-}" = "--find" ]; then
    echo "moto: no moto_server in $dir (run 'npm run moto' to install moto[server]==$version; needs Python 3.9+)" >&2
    exit 3
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "moto: cannot install moto[server]: Python 3 is not installed" >&2
    exit 1
fi
echo "moto: installing moto[server]==$version into $dir..." >&2
rm -rf "$dir"
python3 -m venv "$dir"
"$dir/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$version"
touch "$dir/.complete"
echo "$server"
