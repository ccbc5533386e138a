#!/usr/bin/env bash
# The `iconik` command's figures (issue 23, BENCHMARKS.md): clean release
# build time, binary size, completion script sizes, and the time a call to
# a closed port takes to fail, for one commit.
#
#   tools/cli_figures.sh 9448a17              # before issue 23
#   tools/cli_figures.sh HEAD                 # after
#   tools/cli_figures.sh HEAD emulator        # after, with --features emulator
#
# Builds in a fresh copy of the commit with a fresh target directory (the
# crates are fetched first, so downloads are not timed), one job
# (CARGO_BUILD_JOBS, default 1, as on the shared machine). Prints the load
# average before and after: a figure taken on a busy machine is provisional.
set -euo pipefail
commit=${1:?usage: tools/cli_figures.sh COMMIT [FEATURES]}
features=${2:-}
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d /tmp/iconik-cli-figures.XXXXXX)
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive "$commit" | tar -x -C "$work"
cd "$work"
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1} CARGO_TARGET_DIR="$work/target"
cargo fetch --locked >/dev/null 2>&1
echo "commit $(git -C "$repo" rev-parse --short "$commit") features '${features}' jobs $CARGO_BUILD_JOBS"
echo "load before: $(uptime)"
start=$(date +%s.%N)
/usr/bin/time -f "build cpu: user %U s, system %S s; peak rss %M KB" \
    cargo build --release -p iconik-cli --locked ${features:+--features "$features"} 2>&1 |
    grep -E "^build cpu|^error" || true
end=$(date +%s.%N)
echo "build wall: $(awk "BEGIN{printf \"%.2f\", $end - $start}") s"
echo "load after build: $(uptime)"
bin="$work/target/release/iconik"
echo "binary: $(stat -c %s "$bin") bytes"
for shell in bash zsh fish; do
    echo "completions $shell: $("$bin" completions "$shell" | wc -c) bytes"
done
# port 1 on loopback: nothing listens there
start=$(date +%s.%N)
"$bin" --base-url http://127.0.0.1:1 --app-id a --auth-token t0ken-value \
    assets get-assets >/dev/null 2>&1 || echo "closed port: exit $?"
end=$(date +%s.%N)
echo "closed port: failed after $(awk "BEGIN{printf \"%.2f\", $end - $start}") s"
# what a TAB costs with dynamic completion (after issue 23 only)
if COMPLETE=bash "$bin" -- iconik assets get-a >/dev/null 2>&1; then
    start=$(date +%s.%N)
    for _ in $(seq 20); do
        COMPLETE=bash _CLAP_COMPLETE_INDEX=2 "$bin" -- iconik assets get-a >/dev/null
    done
    end=$(date +%s.%N)
    echo "one TAB (mean of 20): $(awk "BEGIN{printf \"%.1f\", ($end - $start) * 1000 / 20}") ms"
fi
echo "load at the end: $(uptime)"
