#!/usr/bin/env bash
# Finds the Pulumi CLI that runs this project's stacks and engine tests, building it when there is none.
#
#   bash scripts/engine.sh          print the folder holding `pulumi`; build the pinned CLI there first if needed
#   bash scripts/engine.sh --find   the same, but never build: exit 3, saying why, when there is none
#
# Order: a `pulumi` on PATH (a user's own install, 3.139 or newer), else the one built here before (.engine/,
# git-ignored), else the pinned CLI built with Go from the Go module proxy (github.com/pulumi/pulumi/pkg/v3, at the version
# of @pulumi/pulumi in package-lock.json; tools/engine/go.mod pins it). Never a downloaded binary. Progress goes to
# stderr; stdout carries only the folder. Beside the CLI: the Node.js language host (a stand-in, tools/engine/langhost),
# the dynamic-provider launcher, the YAML language host (tools/engine/yaml), and the Go and Python language hosts (one
# stand-in, tools/engine/sdkhost, under both names) that the engine tests' programs in those languages run with. Also
# built once (not by --find): the oldest CLI the README claims (tools/engine/oldest, into .engine/oldest-v<version>/),
# which the git-URL tests run too, and the SDK generator with a Python environment holding the Python SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"
case "$mode" in
build | --find) ;;
-h | --help)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "engine: unknown option $mode; usage: npm run engine [-- --find | --help]" >&2
    exit 2
    ;;
esac

version="$(node -p 'require("./package-lock.json").packages["node_modules/@pulumi/pulumi"].version')"
pinned="$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 v\([0-9.]*\).*#\1#p' tools/engine/go.mod)"
if [ "$pinned" != "$version" ]; then
    echo "engine: tools/engine/go.mod builds Pulumi $pinned but package-lock.json holds @pulumi/pulumi $version;" \
        "run 'cd tools/engine && go get -tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version' to match them" >&2
    exit 2
fi
dest="$PWD/.engine/v$version/bin"
# Written once everything below is built, named for the sources of what is built beside the CLI (tools/engine), so a
# change there builds again.
tools_hash="$(cd tools/engine && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
built="$dest/.complete-$tools_hash"

# What the engine tests of the Python and Go SDKs need, whichever CLI runs: the SDK generator of this Pulumi version
# (tools/engine/gensdk) and a Python environment with its Python SDK from PyPI. Built once; `--find` never builds.
sdk_tools="$PWD/.engine/v$version/sdk"
build_sdk_tools() {
    [ -f "$sdk_tools/.complete" ] && return 0
    if ! command -v go >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
        echo "engine: the SDK tests need Go and Python 3.9+; without them they report themselves missing" >&2
        return 0
    fi
    echo "engine: building the SDK generator and the Python environment of the SDK tests (pulumi<=$version)..." >&2
    mkdir -p "$sdk_tools"
    (cd tools/engine && go build -o "$sdk_tools/pulumi-gensdk" ./gensdk)
    rm -rf "$sdk_tools/python"
    python3 -m venv "$sdk_tools/python"
    # The newest Python SDK not above the CLI: PyPI may lag the npm and Go releases (3.276 on those, 3.272 on PyPI).
    "$sdk_tools/python/bin/pip" install --quiet --disable-pip-version-check "pulumi<=$version" parver semver wheel
    touch "$sdk_tools/.complete"
}
[ "$mode" = "--find" ] || build_sdk_tools

# The oldest CLI the README claims for adding the package from a git URL (tools/engine/oldest), built once into a
# folder of its own; the engine tests run it with the language hosts of the CLI below on PATH. `--find` never builds.
oldest_version="$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 v\([0-9.]*\).*#\1#p' tools/engine/oldest/go.mod)"
oldest="$PWD/.engine/oldest-v$oldest_version"
build_oldest() {
    [ -x "$oldest/pulumi" ] && return 0
    if ! command -v go >/dev/null 2>&1; then
        echo "engine: the tests of the oldest CLI ($oldest_version) need Go; without it they report themselves missing" >&2
        return 0
    fi
    echo "engine: building the oldest Pulumi CLI tested, $oldest_version (tools/engine/oldest; minutes the first time)..." >&2
    mkdir -p "$oldest"
    (cd tools/engine/oldest && go build -o "$oldest/pulumi.partial" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$oldest_version" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    mv "$oldest/pulumi.partial" "$oldest/pulumi"
}
[ "$mode" = "--find" ] || build_oldest

# The engine runs dynamic providers through this launcher, which it looks for beside `pulumi` and on PATH.
launcher_ok() { [ -x "$1/pulumi-resource-pulumi-nodejs" ] || command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; }

if own="$(command -v pulumi 2>/dev/null)"; then
    own_version="$(pulumi version 2>/dev/null | sed 's/^v//')"
    if node -e 'const [a, b] = process.argv.slice(1).map((v) => v.split(/[.-]/).map(Number));
        process.exit(a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]) ? 0 : 1)' "$own_version" "3.139" &&
        launcher_ok "$(dirname "$own")"; then
        echo "engine: using $own ($own_version)" >&2
        dirname "$own"
        exit 0
    fi
    echo "engine: $own is $own_version; stacks need 3.139 or newer (and its pulumi-resource-pulumi-nodejs)," \
        "so the pinned $version is built here instead" >&2
fi
if [ -f "$built" ]; then
    echo "$dest"
    exit 0
fi
if [ "$mode" = "--find" ]; then
    echo "engine: no Pulumi CLI: none on PATH and none built in .engine/ (run 'npm run engine' to build $version with Go)" >&2
    exit 3
fi
if ! command -v go >/dev/null 2>&1; then
    echo "engine: cannot build the Pulumi CLI: Go is not installed (https://go.dev/doc/install), and there is no" \
        "pulumi 3.139+ on PATH (https://www.pulumi.com/docs/install/)" >&2
    exit 1
fi

started=$SECONDS
mkdir -p "$dest"
rm -f "$dest"/.complete-*
cd tools/engine
echo "engine: fetching the Pulumi $version modules from the Go module proxy..." >&2
go mod download github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3
echo "engine: building the Pulumi CLI $version (the first build takes about 5 minutes on 2 cores; later ones reuse it)..." >&2
go build -o "$dest/pulumi" -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
echo "engine: building the Node.js language host (tools/engine/langhost)..." >&2
go build -o "$dest/pulumi-language-nodejs" -ldflags "-X main.version=$version" ./langhost
# The dynamic-provider launcher is a short script shipped in the SDK's Go module, at the same version.
install -m 755 "$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/nodejs/dist/pulumi-resource-pulumi-nodejs" "$dest/"
echo "engine: building the YAML language host (tools/engine/yaml: pulumi-yaml with Link)..." >&2
(cd yaml && go build -o "$dest/pulumi-language-yaml" .)
echo "engine: building the Go and Python language hosts (tools/engine/sdkhost, a stand-in)..." >&2
go build -o "$dest/pulumi-language-go" -ldflags "-X main.version=$version" ./sdkhost
cp "$dest/pulumi-language-go" "$dest/pulumi-language-python"
# The real Python host's program executor, from the SDK's Go module at the same version: the stand-in runs it.
install -m 755 "$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec" "$dest/"
"$dest/pulumi" version >/dev/null
touch "$built"
echo "engine: built in $((SECONDS - started)) s into $dest" >&2
echo "$dest"
