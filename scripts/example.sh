#!/usr/bin/env bash
# Runs the example stack (`preview`, `up` or `destroy`) on a local state backend in .pulumi-state/: no Pulumi Cloud
# account. The tracked Pulumi.dev.yaml is only read: the CLI runs with a copy in .pulumi-state/ that also holds the
# stack's encryption salt (a new stack's salt is written there, never into your tree).
# Needs the Pulumi CLI 3.139 or newer (https://www.pulumi.com/docs/install/), which downloads the AWS provider plugin
# the stack needs, and AWS credentials in the usual places (AWS_PROFILE, ~/.aws, environment variables, SSO): a `pulumi`
# on PATH, else the one `npm run engine` built. That one tries the plugin's download too, and fails where there is no
# network (the test machines).
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-up}"

# Your own `pulumi` first, else the one `npm run engine` built (scripts/engine.sh --find looks in that order).
if ! cli_dir="$(bash scripts/engine.sh --find 2>/dev/null)"; then
    echo "The Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/ (e.g. 'curl -fsSL https://get.pulumi.com | sh'), or build it here with 'npm run engine'." >&2
    exit 1
fi
export PATH="$cli_dir:$PATH"
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

case "$action" in
    preview | up | destroy) ;;
    *) echo "usage: scripts/example.sh preview|up|destroy" >&2; exit 2 ;;
esac

salt=.pulumi-state/dev.encryptionsalt
if ! pulumi stack select dev --non-interactive >/dev/null 2>&1; then
    # `stack init` writes the new stack's salt into Pulumi.dev.yaml beside Pulumi.yaml (rewriting that file): run it in
    # a copy of the project and keep only the salt.
    project_copy="$(mktemp -d)"
    trap 'rm -rf "$project_copy"' EXIT
    cp Pulumi.yaml "$project_copy/"
    pulumi stack init dev --non-interactive --cwd "$project_copy"
    grep '^encryptionsalt:' "$project_copy/Pulumi.dev.yaml" >"$salt"
fi
config=.pulumi-state/Pulumi.dev.yaml
{ cat "$salt" 2>/dev/null || true; cat Pulumi.dev.yaml; } >"$config"
case "$action" in
    preview) pulumi preview --stack dev --config-file "$config" --non-interactive ;;
    *) pulumi "$action" --stack dev --config-file "$config" --yes --non-interactive ;;
esac
