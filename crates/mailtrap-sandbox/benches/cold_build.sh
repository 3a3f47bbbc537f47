#!/usr/bin/env bash
# What a user pays to compile our crates: the cold debug build time and the number of crates of
# small crates that depend on them, against a baseline built in the same run.
#
#   facade      a crate depending on mailtrap-sandbox (by path)
#   baseline    a crate depending on reqwest with the facade's features, serde_json and tokio
#               with the facade's features (what a hand-written client would need)
#   emu-memory  a crate depending on mailtrap-sandbox-emulator without features (in memory)
#   emu-full    the same with the persist and tls features
#   *-before    the same crates at git revision $BEFORE, when it is set (for example the commit
#               before the lighter-builds work), from `git archive` of that revision; with its
#               own Cargo.lock (the baseline stays today's)
#
# Every build is cold: a new CARGO_TARGET_DIR, crates downloaded beforehand (not timed), the
# repository's Cargo.lock as the starting point so that every variant uses the same versions.
# Each build's wall time and CPU time (user + system, of cargo and every rustc, build script
# and C compiler it ran) are recorded: on a machine shared with other work the wall time
# follows the load, the CPU time much less. Rounds interleave the variants (A, B, C, ..., A,
# B, C, ...) so that such a machine loads them alike; the summary gives each variant's
# medians, the spread of its wall times and the ratios of medians against the baseline.
#
# Usage: crates/mailtrap-sandbox/benches/cold_build.sh [ROUNDS] [VARIANT...]
#   ROUNDS defaults to 3; VARIANTs default to facade baseline emu-memory emu-full.
#   BEFORE=<rev> adds facade-before and emu-memory-before when given (emu-full-before needs
#   a revision whose emulator has the persist and tls features; before them, emu-memory-before
#   is the whole emulator).
#   Work happens in a temporary directory outside the repository (removed at the end,
#   KEEP=1 keeps it); per-build logs and `cargo build --timings` pages are written there.
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "$0")/../../.." && pwd)
rounds=${1:-3}
shift || true
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  variants=(facade baseline emu-memory emu-full)
  if [ -n "${BEFORE:-}" ]; then
    variants+=(facade-before emu-memory-before)
  fi
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/cold-build.XXXXXX")
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$work"' EXIT
fi
echo "work directory: $work" >&2

if [ -n "${BEFORE:-}" ]; then
  mkdir -p "$work/before-src"
  git -C "$repo" archive "$BEFORE" | tar -x -C "$work/before-src"
fi

# The facade's dependency settings, read from the workspace manifest so that the baseline
# follows them.
reqwest_dep=$(grep -E '^reqwest = ' "$repo/Cargo.toml" | sed 's/^reqwest = //')
serde_json_dep=$(grep -E '^serde_json = ' "$repo/Cargo.toml" | sed 's/^serde_json = //')
tokio_features=$(grep -m1 -E '^tokio = ' "$repo/crates/mailtrap-sandbox/Cargo.toml" |
  sed -E 's/.*features = (\[[^]]*\]).*/\1/')

# make_crate NAME DEPENDENCY-LINES LIB-SOURCE LOCK-FILE
make_crate() {
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "cold-build-$1"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
$2
EOF
  printf '%s\n' "$3" >"$dir/src/lib.rs"
  cp "$4" "$dir/Cargo.lock"
  (cd "$dir" && cargo fetch --quiet)
}

crate_for() {
  local name=$1 root=$repo
  case $name in
  *-before) root=$work/before-src ;;
  esac
  case $name in
  facade*)
    make_crate "$name" "mailtrap-sandbox = { path = \"$root/crates/mailtrap-sandbox\" }" \
      'pub use mailtrap_sandbox::Client;' "$root/Cargo.lock"
    ;;
  baseline)
    make_crate "$name" "reqwest = $reqwest_dep
serde_json = $serde_json_dep
tokio = { version = \"1\", default-features = false, features = $tokio_features }" \
      'pub use {reqwest::Client, serde_json::Value, tokio::time::sleep};' "$root/Cargo.lock"
    ;;
  emu-memory*)
    make_crate "$name" "mailtrap-sandbox-emulator = { path = \"$root/crates/mailtrap-sandbox-emulator\", default-features = false }" \
      'pub use mailtrap_sandbox_emulator::EmulatorConfig;' "$root/Cargo.lock"
    ;;
  emu-full*)
    make_crate "$name" "mailtrap-sandbox-emulator = { path = \"$root/crates/mailtrap-sandbox-emulator\", features = [\"persist\", \"tls\"] }" \
      'pub use mailtrap_sandbox_emulator::EmulatorConfig;' "$root/Cargo.lock"
    ;;
  *)
    echo "unknown variant $name" >&2
    exit 2
    ;;
  esac
}

for variant in "${variants[@]}"; do
  crate_for "$variant"
  dir=$work/$variant
  # Crates in the build (normal and build dependencies, each once, the crate itself included),
  # and duplicated majors.
  (cd "$dir" && cargo tree -e normal,build --prefix none --offline) |
    sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u >"$work/$variant.crates"
  (cd "$dir" && cargo tree -e normal,build -d --depth 0 --offline) >"$work/$variant.duplicates" || true
done

: >"$work/results"
for round in $(seq 1 "$rounds"); do
  for variant in "${variants[@]}"; do
    dir=$work/$variant
    target=$work/target-$variant-$round
    start=$(date +%s.%N)
    # `times` in the subshell: the CPU time of the children it waited for (cargo, which waits
    # for everything it runs).
    if ! (cd "$dir" && CARGO_TARGET_DIR=$target cargo build --offline --timings \
      >"$work/$variant-$round.log" 2>&1 && times >"$work/$variant-$round.cpu"); then
      echo "round $round $variant: the build failed (see $work/$variant-$round.log)" >&2
      rm -rf "$target"
      continue
    fi
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc)
    # The second line of `times`: children's user and system time, as 1m2.500s 0m3.250s.
    cpu=$(sed -n 2p "$work/$variant-$round.cpu" |
      awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] } print t }')
    units=$(grep -c '^ *Compiling ' "$work/$variant-$round.log" || true)
    cp "$target"/cargo-timings/cargo-timing.html "$work/$variant-$round-timings.html" 2>/dev/null || true
    rm -rf "$target"
    echo "$variant $round $seconds $units $cpu" >>"$work/results"
    printf 'round %s %-18s %7.1f s wall  %7.1f s CPU  %3s crates compiled  (load %s)\n' \
      "$round" "$variant" "$seconds" "$cpu" "$units" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
echo "variant            wall s  min-max s      CPU s  crates  compiled  vs baseline (wall, CPU, crates)"
base_median=
base_cpu=
if grep -q '^baseline ' "$work/results"; then
  base_median=$(awk '$1 == "baseline" { print $3 }' "$work/results" | median)
  base_cpu=$(awk '$1 == "baseline" { print $5 }' "$work/results" | median)
fi
base_crates=
[ -f "$work/baseline.crates" ] && base_crates=$(wc -l <"$work/baseline.crates")
for variant in "${variants[@]}"; do
  times=$(awk -v v="$variant" '$1 == v { print $3 }' "$work/results")
  if [ -z "$times" ]; then
    echo "$variant: no successful build"
    continue
  fi
  med=$(echo "$times" | median)
  range=$(echo "$times" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f-%.1f", lo, hi }')
  crates=$(wc -l <"$work/$variant.crates")
  units=$(awk -v v="$variant" '$1 == v { print $4 }' "$work/results" | median)
  cpu=$(awk -v v="$variant" '$1 == v { print $5 }' "$work/results" | median)
  ratio=
  if [ -n "$base_median" ]; then
    ratio="$(echo "scale=2; $med / $base_median" | bc)x, $(echo "scale=2; $cpu / $base_cpu" | bc)x"
    [ -n "$base_crates" ] && ratio="$ratio, $((crates - base_crates)) crates"
  fi
  printf '%-16s %8.1f  %-13s %7.1f  %6s  %8s  %s\n' "$variant" "$med" "$range" "$cpu" "$crates" "$units" "$ratio"
done
echo
for variant in "${variants[@]}"; do
  if [ -s "$work/$variant.duplicates" ]; then
    echo "$variant: crates in two versions:"
    grep -v '^$' "$work/$variant.duplicates" | grep -v '^\[' | sed 's/^/  /'
  fi
done
if [ -n "$base_crates" ]; then
  for variant in "${variants[@]}"; do
    case $variant in facade*)
      echo "$variant: crates the baseline does not have:"
      comm -23 "$work/$variant.crates" "$work/baseline.crates" | sed 's/^/  /' | paste -sd' ' | fold -s -w 100
      ;;
    esac
  done
fi
