#!/usr/bin/env bash
# bench/run.sh: sign the same generated zones with dnsseal and its peers
# (ldns-signzone, dnssec-signzone, kzonesign), run the peer verifiers on the
# output, and print wall time, CPU time, peak RSS and signatures/s side by
# side with the raw ECDSA P-256 signing floor. See bench/README.md.
set -euo pipefail

PROG=${0##*/}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

ALL_TOOLS="dnsseal dnsseal-verify ldns bind1 bind2 bind1-noverify bind2-noverify knot"
ALL_VERIFIERS="dnsseal dnssec-verify ldns-verify-zone kzonecheck"

# Options: environment first, flags override.
SIZES=${SIZES:-100000}
TOOLS=${TOOLS:-$ALL_TOOLS}
DENIAL=${DENIAL:-"nsec nsec3"}
VERIFIERS=${VERIFIERS:-$ALL_VERIFIERS}
OUTDIR=${OUTDIR:-}
ORIGIN=${ORIGIN:-example.com.}
SEED=${SEED:-1}
MIXED_CASE=${MIXED_CASE:-0}
JOBS=${JOBS:-2}
VERIFY_ALL=${VERIFY_ALL:-0}
INSTALL=${INSTALL:-1}
CLEAN=${CLEAN:-0}
FLOOR_DURATION=${FLOOR_DURATION:-2s}

usage() {
	cat <<EOF
usage: $PROG [options]

Generates zones with bench/cmd/zonegen, signs each with every selected tool
(NSEC and NSEC3 with 0 iterations and an empty salt), runs the verifiers on
one signed output per zone, and prints a table of wall time, user+sys CPU,
peak RSS, RRSIG count and signatures/s, next to the ECDSA P-256 floor.

options (environment variable in brackets):
  -sizes "N ..."      zone sizes in names, space or comma separated [SIZES] (100000)
  -quick              a single 10000-name zone
  -tools "T ..."      signers to run [TOOLS] (all):
                        dnsseal         dnsseal sign -jobs \$JOBS -verify=false
                        dnsseal-verify  dnsseal sign -jobs \$JOBS (verify after signing)
                        ldns            ldns-signzone (single-threaded)
                        bind1, bind2    dnssec-signzone -n 1 / -n 2 (with its verification)
                        bind1-noverify, bind2-noverify   the same with -P
                        knot            kzonesign, signing-threads \$JOBS
  -nsec, -nsec3       only one denial type [DENIAL] ("nsec nsec3")
  -verifiers "V ..."  [VERIFIERS] ($ALL_VERIFIERS)
  -verify-all         run the verifiers on every signed output, not just one [VERIFY_ALL=1]
  -jobs N             threads for dnsseal and kzonesign [JOBS] (2)
  -origin ZONE        [ORIGIN] (example.com.)
  -seed N             zone generator seed [SEED] (1)
  -mixed-case         random letter case in the zone's names [MIXED_CASE=1]
  -outdir DIR         where zones, keys, outputs and logs go [OUTDIR] (a new mktemp dir)
  -clean              delete zones and signed outputs at the end, keep logs [CLEAN=1]
  -no-install         never apt-get install missing tools [INSTALL=0]
  DNSSEAL=PATH        use this dnsseal binary instead of building cmd/dnsseal
  -h, -help           this text

examples:
  bench/run.sh -quick
  SIZES="100000 1000000" TOOLS="dnsseal knot bind2-noverify" bench/run.sh -nsec3
EOF
}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}
note() { echo "$PROG: $*" >&2; }

while [[ $# -gt 0 ]]; do
	case $1 in
	-quick | --quick) SIZES=10000 ;;
	-sizes | --sizes) [[ $# -ge 2 ]] || die "$1 needs a value"; SIZES=$2; shift ;;
	-tools | --tools) [[ $# -ge 2 ]] || die "$1 needs a value"; TOOLS=$2; shift ;;
	-nsec | --nsec) DENIAL=nsec ;;
	-nsec3 | --nsec3) DENIAL=nsec3 ;;
	-verifiers | --verifiers) [[ $# -ge 2 ]] || die "$1 needs a value"; VERIFIERS=$2; shift ;;
	-verify-all | --verify-all) VERIFY_ALL=1 ;;
	-jobs | --jobs) [[ $# -ge 2 ]] || die "$1 needs a value"; JOBS=$2; shift ;;
	-origin | --origin) [[ $# -ge 2 ]] || die "$1 needs a value"; ORIGIN=$2; shift ;;
	-seed | --seed) [[ $# -ge 2 ]] || die "$1 needs a value"; SEED=$2; shift ;;
	-outdir | --outdir | -o) [[ $# -ge 2 ]] || die "$1 needs a value"; OUTDIR=$2; shift ;;
	-mixed-case | --mixed-case) MIXED_CASE=1 ;;
	-clean | --clean) CLEAN=1 ;;
	-no-install | --no-install) INSTALL=0 ;;
	-h | -help | --help) usage; exit 0 ;;
	*) usage >&2; echo >&2; die "unknown option $1" ;;
	esac
	shift
done

# --- validate options -------------------------------------------------------

SIZES=${SIZES//,/ }
TOOLS=${TOOLS//,/ }
DENIAL=${DENIAL//,/ }
VERIFIERS=${VERIFIERS//,/ }
for s in $SIZES; do [[ $s =~ ^[0-9]+$ ]] || die "bad size '$s'"; done
[[ -n ${SIZES// /} ]] || die "no sizes"
for t in $TOOLS; do [[ " $ALL_TOOLS " == *" $t "* ]] || die "unknown tool '$t' (known: $ALL_TOOLS)"; done
for d in $DENIAL; do [[ $d == nsec || $d == nsec3 ]] || die "bad denial type '$d' (nsec, nsec3)"; done
for v in $VERIFIERS; do [[ " $ALL_VERIFIERS " == *" $v "* ]] || die "unknown verifier '$v' (known: $ALL_VERIFIERS)"; done
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "bad -jobs '$JOBS'"
[[ $SEED =~ ^[0-9]+$ ]] || die "bad -seed '$SEED'"
[[ $ORIGIN == *. ]] || ORIGIN=$ORIGIN.
ORIGIN=${ORIGIN,,}
ZONE_NAME=${ORIGIN%.}
[[ -n $ZONE_NAME ]] || die "the root zone is not supported by this harness"

command -v go >/dev/null || die "go is not on PATH (needed to build the zone generator)"

# --- tools: install what is missing ------------------------------------------

# binaries each tool needs, and the Debian package of each binary
declare -A NEEDS=(
	[dnsseal]="" [dnsseal-verify]=""
	[ldns]="ldns-signzone ldns-keygen"
	[bind1]="dnssec-signzone dnssec-keygen" [bind2]="dnssec-signzone dnssec-keygen"
	[bind1-noverify]="dnssec-signzone dnssec-keygen" [bind2-noverify]="dnssec-signzone dnssec-keygen"
	[knot]="kzonesign keymgr"
	[dnssec-verify]="dnssec-verify" [ldns-verify-zone]="ldns-verify-zone" [kzonecheck]="kzonecheck"
)
declare -A PACKAGE=(
	[ldns-signzone]=ldnsutils [ldns-keygen]=ldnsutils [ldns-verify-zone]=ldnsutils
	[dnssec-signzone]=bind9-utils [dnssec-keygen]=bind9-utils [dnssec-verify]=bind9-utils
	[kzonesign]=knot-dnssecutils [kzonecheck]=knot-dnssecutils [keymgr]=knot
	[time]=time
)

have() {
	if [[ $1 == time ]]; then [[ -x /usr/bin/time ]]; else command -v "$1" >/dev/null; fi
}

missing_packages() {
	local b pkgs=""
	for b in time $(for x in $TOOLS $VERIFIERS; do echo "${NEEDS[$x]}"; done | tr ' ' '\n' | sort -u); do
		have "$b" || pkgs+=" ${PACKAGE[$b]}"
	done
	echo "$pkgs" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' '
}

pkgs=$(missing_packages)
if [[ -n ${pkgs// /} ]]; then
	if [[ $INSTALL == 1 && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
		note "installing missing packages: $pkgs"
		# shellcheck disable=SC2086
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs; then
			note "apt-get install failed; retrying after apt-get update"
			DEBIAN_FRONTEND=noninteractive apt-get update
			# shellcheck disable=SC2086
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs ||
				note "apt-get install failed; tools that are still missing will be skipped"
		fi
	else
		note "missing packages: $pkgs (not root, no apt-get, or -no-install); their tools will be skipped"
	fi
fi
have time || die "/usr/bin/time (Debian package 'time') is required"

usable() { # usable TOOL: all its binaries are present
	local b
	for b in ${NEEDS[$1]}; do have "$b" || return 1; done
}

# --- directories and builds -------------------------------------------------

if [[ -z $OUTDIR ]]; then
	OUTDIR=$(mktemp -d "${TMPDIR:-/tmp}/dnsseal-bench.XXXXXX")
else
	mkdir -p "$OUTDIR"
fi
OUTDIR=$(cd "$OUTDIR" && pwd)
BIN=$OUTDIR/bin KEYS=$OUTDIR/keys
# Fresh keys and binaries every run: dnssec-signzone -S and kzonesign would
# otherwise sign with every key left in a reused output directory.
rm -rf "$BIN" "$KEYS"
mkdir -p "$BIN" "$KEYS"
RESULTS=$OUTDIR/results.tsv VRESULTS=$OUTDIR/verify.tsv
: >"$RESULTS"
: >"$VRESULTS"
note "output directory: $OUTDIR"

(cd "$REPO" && go build -o "$BIN/zonegen" ./bench/cmd/zonegen && go build -o "$BIN/ecdsafloor" ./bench/ecdsafloor) ||
	die "cannot build bench/cmd/zonegen and bench/ecdsafloor in $REPO"

if [[ " $TOOLS " == *" dnsseal"* && -n ${DNSSEAL:-} ]]; then
	[[ -x $DNSSEAL ]] || die "DNSSEAL=$DNSSEAL is not an executable"
	ln -s "$(cd "$(dirname "$DNSSEAL")" && pwd)/${DNSSEAL##*/}" "$BIN/dnsseal"
	note "using dnsseal binary $DNSSEAL"
elif [[ " $TOOLS " == *" dnsseal"* ]]; then
	if (cd "$REPO" && go build -o "$BIN/dnsseal" ./cmd/dnsseal) >"$BIN/dnsseal.build.log" 2>&1; then
		note "built dnsseal from $REPO/cmd/dnsseal"
	else
		note "SKIP dnsseal: 'go build ./cmd/dnsseal' failed (log: $BIN/dnsseal.build.log):"
		sed 's/^/    /' "$BIN/dnsseal.build.log" | head -n 5 >&2
	fi
fi
SELECTED=""
for t in $TOOLS; do
	case $t in
	dnsseal | dnsseal-verify)
		if [[ -x $BIN/dnsseal ]]; then SELECTED+=" $t"; fi
		;;
	*)
		if usable "$t"; then SELECTED+=" $t"; else note "SKIP $t: needs ${NEEDS[$t]}"; fi
		;;
	esac
done
VSELECTED=""
for v in $VERIFIERS; do
	if [[ $v == dnsseal ]]; then
		if [[ -x $BIN/dnsseal ]]; then VSELECTED+=" $v"; else note "SKIP verifier dnsseal: not built"; fi
	elif usable "$v"; then VSELECTED+=" $v"; else note "SKIP verifier $v: not installed"; fi
done
[[ -n ${SELECTED// /} ]] || die "no signer is available"

# --- keys: ECDSAP256SHA256 KSK + ZSK per tool ---------------------------------

BIND_KSK="" BIND_ZSK="" LDNS_KEYS=()
need_tool() { [[ " $SELECTED " == *" $1"* ]]; } # prefix match: bind1 matches bind1-noverify

if need_tool dnsseal || need_tool bind; then
	mkdir -p "$KEYS/bind"
	BIND_KSK=$(dnssec-keygen -q -K "$KEYS/bind" -a ECDSAP256SHA256 -f KSK "$ZONE_NAME") ||
		die "dnssec-keygen (KSK) failed"
	BIND_ZSK=$(dnssec-keygen -q -K "$KEYS/bind" -a ECDSAP256SHA256 "$ZONE_NAME") ||
		die "dnssec-keygen (ZSK) failed"
fi
if need_tool ldns; then
	mkdir -p "$KEYS/ldns"
	for ksk in -k ""; do
		# shellcheck disable=SC2086 # $ksk is empty or one word
		k=$(cd "$KEYS/ldns" && ldns-keygen -a ECDSAP256SHA256 $ksk "$ZONE_NAME") || die "ldns-keygen failed"
		LDNS_KEYS+=("$KEYS/ldns/$k")
	done
fi

# knot_conf FILE STORAGE ZONEFILE DENIAL: a knot.conf for kzonesign/keymgr with
# a manual ECDSA P-256 KSK+ZSK policy and a KASP database shared by all runs.
knot_conf() {
	local nsec3=off extra=""
	if [[ $4 == nsec3 ]]; then
		nsec3=on
		extra=$'\n    nsec3-iterations: 0\n    nsec3-salt-length: 0\n    nsec3-opt-out: off'
	fi
	mkdir -p "$2"
	cat >"$1" <<EOF
# generated by bench/run.sh
server:
    rundir: "$2"
database:
    storage: "$2"
    kasp-db: "$KEYS/knot/kasp"
policy:
  - id: bench
    algorithm: ecdsap256sha256
    single-type-signing: off
    manual: on
    signing-threads: $JOBS
    nsec3: $nsec3$extra
template:
  - id: default
    storage: "$2"
    semantic-checks: off
zone:
  - domain: $ORIGIN
    file: "$3"
    dnssec-signing: on
    dnssec-policy: bench
EOF
}

if need_tool knot; then
	mkdir -p "$KEYS/knot"
	knot_conf "$KEYS/knot/keymgr.conf" "$KEYS/knot/db" /dev/null nsec
	{
		keymgr -c "$KEYS/knot/keymgr.conf" "$ORIGIN" generate algorithm=ECDSAP256SHA256 ksk=yes &&
			keymgr -c "$KEYS/knot/keymgr.conf" "$ORIGIN" generate algorithm=ECDSAP256SHA256 ksk=no &&
			keymgr -c "$KEYS/knot/keymgr.conf" "$ORIGIN" list
	} >"$KEYS/knot/keymgr.log" 2>&1 || die "keymgr failed (log: $KEYS/knot/keymgr.log)"
fi

# --- measurement helpers --------------------------------------------------------

# count_rrsig FILE: RRSIG records in a master file (one-line or BIND's
# multi-line format): the token RRSIG followed by a type and a number.
count_rrsig() {
	awk '{
		sub(/;.*/, "")
		n = split($0, t, /[ \t()]+/)
		for (i = 1; i <= n - 2; i++)
			if (t[i] == "RRSIG" && t[i+1] ~ /^[A-Z][A-Z0-9]*$/ && t[i+2] ~ /^[0-9]+$/) { c++; break }
	}
	END { print c + 0 }' "$1"
}

# timed LOG DIR CMD...: runs CMD in DIR under /usr/bin/time; sets T_RC, T_WALL,
# T_CPU (user+sys seconds) and T_RSS (peak KiB).
timed() {
	local log=$1 dir=$2
	shift 2
	T_RC=0
	(cd "$dir" && exec /usr/bin/time -f '%e %U %S %M' -o "$log.time" "$@") >"$log" 2>&1 || T_RC=$?
	local line usr sys
	line=$(tail -n 1 "$log.time" 2>/dev/null || true)
	if [[ ! $line =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+\ [0-9]+$ ]]; then
		line="0 0 0 0"
	fi
	read -r T_WALL usr sys T_RSS <<<"$line"
	T_CPU=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

# --- the floor ---------------------------------------------------------------------

CORES=$(nproc 2>/dev/null || echo 1)
note "measuring the ECDSA P-256 floor ($FLOOR_DURATION per operation)"
FLOOR=$("$BIN/ecdsafloor" -machine -duration "$FLOOR_DURATION" -cores "$CORES") || die "ecdsafloor failed"
SIGN_NS=$(sed -n 's/.*sign_ns=\([0-9.]*\).*/\1/p' <<<"$FLOOR")
VERIFY_NS=$(sed -n 's/.*verify_ns=\([0-9.]*\).*/\1/p' <<<"$FLOOR")

# --- per size: generate, sign, verify ----------------------------------------------

# stat_of FILE KEY: the number after KEY= in zonegen -stats output.
stat_of() { sed -n "s/\(^\|.* \)$2=\([0-9]*\).*/\2/p" "$1" | head -n 1; }

for size in $SIZES; do
	D=$OUTDIR/$size
	mkdir -p "$D"
	ZONE=$D/zone.db
	note "[$size] generating zone"
	mixed=()
	if [[ $MIXED_CASE == 1 ]]; then mixed=(-mixed-case); fi
	"$BIN/zonegen" -names "$size" -origin "$ORIGIN" -seed "$SEED" "${mixed[@]}" -o "$ZONE" -stats 2>"$D/zone.stats" ||
		die "zonegen failed (log: $D/zone.stats)"
	sed "s/^/    /" "$D/zone.stats" >&2

	for denial in $DENIAL; do
		for tool in $SELECTED; do
			out=$D/$tool.$denial.signed
			log=$D/$tool.$denial.log
			rm -f "$out"
			n3=()
			case $tool in
			dnsseal | dnsseal-verify)
				[[ $denial == nsec3 ]] && n3=(-nsec3)
				verify=(-verify=false)
				[[ $tool == dnsseal-verify ]] && verify=()
				cmd=("$BIN/dnsseal" sign -zone "$ZONE" -origin "$ORIGIN"
					-key "file:$KEYS/bind/$BIND_KSK" -key "file:$KEYS/bind/$BIND_ZSK"
					-o "$out" -jobs "$JOBS" "${verify[@]}" "${n3[@]}")
				;;
			ldns)
				[[ $denial == nsec3 ]] && n3=(-n -t 0)
				cmd=(ldns-signzone "${n3[@]}" -o "$ORIGIN" -f "$out" "$ZONE" "${LDNS_KEYS[@]}")
				;;
			bind1* | bind2*)
				[[ $denial == nsec3 ]] && n3=(-3 - -H 0)
				p=()
				[[ $tool == *-noverify ]] && p=(-P)
				cmd=(dnssec-signzone -S -K "$KEYS/bind" -o "$ORIGIN" -f "$out"
					-n "${tool:4:1}" "${p[@]}" "${n3[@]}" "$ZONE")
				;;
			knot)
				kd=$D/knot-$denial
				rm -rf "$kd/out"
				mkdir -p "$kd/out"
				knot_conf "$kd/knot.conf" "$kd/db" "$ZONE" "$denial"
				cmd=(kzonesign -c "$kd/knot.conf" -o "$kd/out" "$ORIGIN")
				;;
			esac
			note "[$size] $denial: $tool"
			echo "${cmd[*]}" >"$log.cmd"
			timed "$log" "$D" "${cmd[@]}"
			if [[ $tool == knot && $T_RC == 0 ]]; then
				mv "$kd/out/${ZONE##*/}" "$out" 2>/dev/null || T_RC=126
			fi
			sigs=0 status=ok
			if [[ $T_RC != 0 ]]; then
				status="FAIL($T_RC)"
				note "  $tool failed with status $T_RC; last lines of $log:"
				tail -n 3 "$log" | sed 's/^/    /' >&2
			elif [[ ! -s $out ]]; then
				status="FAIL(no output)"
			else
				sigs=$(count_rrsig "$out")
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
				"$size" "$denial" "$tool" "$T_WALL" "$T_CPU" "$T_RSS" "$sigs" "$status" "$out" >>"$RESULTS"
		done

		# Verifiers: on dnsseal's output when there is one, else on the first
		# good output; on all of them with -verify-all.
		inputs=$(awk -F'\t' -v s="$size" -v d="$denial" '$1 == s && $2 == d && $8 == "ok" { print $3 }' "$RESULTS")
		if [[ $VERIFY_ALL != 1 ]]; then
			first=""
			for t in $inputs; do
				if [[ $t == dnsseal* ]]; then
					first=$t
					break
				fi
			done
			if [[ -z $first ]]; then first=$(head -n 1 <<<"$inputs"); fi
			inputs=$first
		fi
		for t in $inputs; do
			in=$D/$t.$denial.signed
			for v in $VSELECTED; do
				log=$D/verify.$v.$t.$denial.log
				case $v in
				dnsseal) cmd=("$BIN/dnsseal" verify -zone "$in" -origin "$ORIGIN") ;;
				dnssec-verify) cmd=(dnssec-verify -q -o "$ORIGIN" "$in") ;;
				ldns-verify-zone) cmd=(ldns-verify-zone -V 2 "$in") ;;
				kzonecheck) cmd=(kzonecheck -o "$ORIGIN" -d on "$in") ;;
				esac
				note "[$size] $denial: $v on $t's output"
				echo "${cmd[*]}" >"$log.cmd"
				timed "$log" "$D" "${cmd[@]}"
				result=valid
				[[ $T_RC == 0 ]] || result="INVALID($T_RC)"
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
					"$size" "$denial" "$v" "$t" "$T_WALL" "$T_CPU" "$T_RSS" "$result" >>"$VRESULTS"
			done
		done
	done
done

# --- report ----------------------------------------------------------------------

echo
echo "dnsseal peer benchmark: origin $ORIGIN, seed $SEED, $CORES cores, jobs $JOBS, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
awk -v s="$SIGN_NS" -v v="$VERIFY_NS" -v c="$CORES" 'BEGIN {
	printf "ECDSA P-256 floor (crypto/ecdsa, one core): sign %.1f us (%.0f/s), verify %.1f us (%.0f/s); floor = RRSIGs x sign / %d cores\n",
		s / 1000, 1e9 / s, v / 1000, 1e9 / v, c }'
for size in $SIZES; do
	st=$OUTDIR/$size/zone.stats
	auth=$(stat_of "$st" auth-rrsets) n1=$(stat_of "$st" nsec-owners) n3=$(stat_of "$st" nsec3-owners)
	echo "zone $size names: $(stat_of "$st" total) records, $(($(stat_of "$st" bytes) / 1024)) KiB; RRSIGs with one signature per RRset + DNSKEY by the KSK: NSEC $((auth + n1 + 1)), NSEC3 $((auth + n3 + 2))"
done
echo
awk -F'\t' -v ns="$SIGN_NS" -v cores="$CORES" '
BEGIN {
	printf "%-8s %-6s %-15s %8s %8s %8s %9s %9s %9s %8s %7s  %s\n",
		"names", "denial", "tool", "wall s", "cpu s", "RSS MiB", "RRSIGs", "sigs/s", "sigs/cpu-s", "floor s", "xfloor", "status"
}
{
	floor = $7 * ns / 1e9 / cores
	rate = ($4 > 0 && $7 > 0) ? sprintf("%.0f", $7 / $4) : "-"
	crate = ($5 > 0 && $7 > 0) ? sprintf("%.0f", $7 / $5) : "-"
	x = (floor > 0 && $7 > 0) ? sprintf("%.1f", $4 / floor) : "-"
	printf "%-8s %-6s %-15s %8.2f %8.2f %8.1f %9d %9s %10s %8.2f %7s  %s\n",
		$1, $2, $3, $4, $5, $6 / 1024, $7, rate, crate, floor, x, $8
}' "$RESULTS"
if [[ -s $VRESULTS ]]; then
	echo
	awk -F'\t' '
	BEGIN { printf "%-8s %-6s %-17s %-15s %8s %8s %8s  %s\n", "names", "denial", "verifier", "input", "wall s", "cpu s", "RSS MiB", "result" }
	{ printf "%-8s %-6s %-17s %-15s %8.2f %8.2f %8.1f  %s\n", $1, $2, $3, $4, $5, $6, $7 / 1024, $8 }' "$VRESULTS"
fi
echo
echo "raw results: $RESULTS, $VRESULTS; logs and outputs under $OUTDIR"

if [[ $CLEAN == 1 ]]; then
	find "$OUTDIR" \( -name '*.signed' -o -name 'zone.db' \) -type f -delete
	find "$OUTDIR" -type d -name out -path '*/knot-*' -exec rm -rf {} +
	note "removed zones and signed outputs (-clean)"
fi

# Exit 3 when a verifier rejected a signed zone, so CI can use the harness.
if awk -F'\t' '$8 != "valid" { bad = 1 } END { exit !bad }' "$VRESULTS"; then
	exit 3
fi
