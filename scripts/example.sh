#!/usr/bin/env bash
# Runs the example stack (`up` or `destroy`) on a local state backend in .pulumi-state/: no Pulumi Cloud account.
# Needs the Pulumi CLI (https://www.pulumi.com/docs/install/) and AWS credentials in the usual places
# (AWS_PROFILE, ~/.aws, environment variables, SSO).
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-up}"

if ! command -v pulumi >/dev/null 2>&1; then
    echo "The Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/ (e.g. 'curl -fsSL https://get.pulumi.com | sh')." >&2
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
