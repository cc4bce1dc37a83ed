#!/bin/sh
# Leistungsmessung der echten Desktop-App gegen ein leeres Tauri-Fenster (Issue 6).
#
#   tests/ui-bench/run.sh [--release] [--neu] [--runden N] [--anzahl N]
#
# Builds what is needed (debug unless --release), builds the UI, fills a profile with
# --anzahl cases (default 100000) once — cached in target/ui-bench/profil-<N> with its key
# in a persistent private keyring (target/ui-bench/schluesselbund) unless --neu — and runs
# amtsstube-ui-bench under Xvfb and a private Secret Service. Reports, never asserts.
# Results: table on stdout, JSON in target/ui-bench/results.json.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)

build=debug
neu=0
runden=5
anzahl=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --release) build=release ;;
    --neu) neu=1 ;;
    --runden) runden=$2; shift ;;
    --anzahl) anzahl=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run.sh: unbekannte Option $1 (siehe --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in xvfb-run tauri-driver /usr/bin/WebKitWebDriver npm; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "run.sh: $tool fehlt (apt-get install -y xvfb xauth webkit2gtk-driver nodejs npm; cargo install tauri-driver --locked)" >&2
    exit 2
  }
done

cargo_flags=""
[ "$build" = release ] && cargo_flags="--release"
out="$root/target/ui-bench"
mkdir -p "$out"

echo "== Oberfläche bauen (ui/dist)"
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && nice -n 10 npm exec -- vite build --logLevel warn)

echo "== $build-Build: amtsstube, amtsstube-desktop, amtsstube-leer, amtsstube-ui-bench"
# shellcheck disable=SC2086
nice -n 10 cargo build $cargo_flags -p cli --bin amtsstube
# shellcheck disable=SC2086
nice -n 10 cargo build $cargo_flags -p amtsstube-desktop -p ui-bench
bin="$root/target/$build"

profil="$out/profil-$anzahl"
schluessel="$out/schluesselbund"
fertig="$profil.fertig"
keyring="$root/.ci/with-keyring.sh"
if [ "$neu" = 1 ] || [ ! -f "$fertig" ] || [ ! -d "$schluessel" ]; then
  echo "== Profil mit $anzahl Vorgängen füllen ($profil)"
  rm -rf "$profil" "$fertig"
  mkdir -p "$schluessel"
  KEYRING_HOME="$schluessel" "$keyring" \
    "$bin/amtsstube" --profile "$profil" demo fuellen --anzahl "$anzahl" --benutzer ui-bench --json \
    > "$out/profil-$anzahl.json"
  echo "$anzahl" > "$fertig"
else
  echo "== Profil aus dem Zwischenspeicher: $profil (--neu füllt es neu)"
fi

echo "== Messung ($runden Runden je Fenster, abwechselnd)"
KEYRING_HOME="$schluessel" xvfb-run -a -s "-screen 0 1280x1024x24" "$keyring" \
  "$bin/amtsstube-ui-bench" \
  --app "$bin/amtsstube-desktop" \
  --leer "$bin/amtsstube-leer" \
  --profil "$profil" \
  --faelle "$anzahl" \
  --runden "$runden" \
  --build "$build" \
  --driver "$(command -v tauri-driver)" \
  --artefakte "$out" \
  --ergebnis "$out/results.json"
