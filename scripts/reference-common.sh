# Shared by the scripts/*-reference.sh scripts: installs what is missing, builds approx-cli in
# release, and defines `run NAME ARGS...`, which runs `approx-cli ARGS... --out $D/NAME` when NAME is
# among the script's arguments (or when it has none). The caller sets D and only=("$@").
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
swift build -c release --product approx-cli >&2
cli=.build/release/approx-cli
run() { local name=$1; shift; if [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $name "* ]]; then echo "== $name" >&2; "$cli" "$@" --out "$D/$name" > /dev/null; fi; }
