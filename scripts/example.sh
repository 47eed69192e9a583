#!/usr/bin/env bash
# Runs the example stack (`up` or `destroy`) on a local state backend in .pulumi-state/: no Pulumi Cloud account.
# Needs the Pulumi CLI 3.139 or newer (https://www.pulumi.com/docs/install/), which installs the AWS provider plugin the
# stack needs, and AWS credentials in the usual places (AWS_PROFILE, ~/.aws, environment variables, SSO). The CLI that
# `npm run engine` builds for the tests has a stand-in language host that installs no plugin: it cannot run this stack.
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-up}"

if ! command -v pulumi >/dev/null 2>&1; then
    echo "The Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/ (e.g. 'curl -fsSL https://get.pulumi.com | sh')." >&2
    exit 1
fi
version="$(pulumi version | sed 's/^v//')"
if ! node -e 'const [a, b] = process.argv[1].split(".").map(Number); process.exit(a > 3 || (a === 3 && b >= 139) ? 0 : 1)' "$version"; then
    echo "The Pulumi CLI on PATH is $version; this stack needs 3.139 or newer (older CLIs do not pass aws:region to the sessions' provider)." >&2
    exit 1
fi
[ -d node_modules ] || npm ci

mkdir -p .pulumi-state
# The backend is chosen for this command only; the user's own `pulumi login` is left as it is.
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
# The local backend encrypts stack secrets with a passphrase; the example stack holds none, so an empty one is enough.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

pulumi stack select dev --create --non-interactive
case "$action" in
    up) pulumi up --yes --non-interactive ;;
    destroy) pulumi destroy --yes --non-interactive ;;
    *) echo "usage: scripts/example.sh up|destroy" >&2; exit 2 ;;
esac
