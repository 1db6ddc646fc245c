#!/usr/bin/env bash
# What a new user sees on a fresh Debian 12: debootstraps a bookworm chroot holding only Java 17, Maven and git,
# clones minibert at one commit into it and times the README's two commands (./minibert quickstart, .ci/run).
# Usage and what it measured: docs/testing.md.
set -euo pipefail
# the whole script is one block, read before it runs: a checkout changing under a long run cannot derail it
{

usage() {
  cat <<'EOF'
usage: scripts/fresh-machine-check.sh [--commit REV] [--repo URL] [--only build|quickstart|ci] [--logs DIR]
                                      [--with PACKAGE,...] [--mirror URL] [--keep]
  --commit REV   commit to clone (default: HEAD of the repository holding this script)
  --repo URL     repository to clone from (default: the repository holding this script)
  --only STEP    run only that step after the first build (build: the first build alone); default: both commands
  --logs DIR     where each step's log and the timings go (default: runs/fresh-machine-check/DATE); must not exist
  --with PKGS    also install these Debian packages (comma-separated), e.g. to measure past a missing tool
  --mirror URL   Debian mirror (default: http://deb.debian.org/debian)
  --keep         leave the chroot in place (its path is printed) instead of removing it
Runs as root (debootstrap, chroot, mounts); installs debootstrap with apt-get when it is missing.
EOF
}

die() { echo "fresh-machine-check: $*" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$root" commit="" only="" logs="" mirror="http://deb.debian.org/debian" keep=0 with=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --commit) [[ $# -ge 2 ]] || die "--commit needs a value"; commit="$2"; shift 2 ;;
    --repo) [[ $# -ge 2 ]] || die "--repo needs a value"; repo="$2"; shift 2 ;;
    --only) [[ $# -ge 2 ]] || die "--only needs a value"; only="$2"; shift 2 ;;
    --logs) [[ $# -ge 2 ]] || die "--logs needs a value"; logs="$2"; shift 2 ;;
    --with) [[ $# -ge 2 ]] || die "--with needs a value"; IFS=, read -ra with <<<"$2"; shift 2 ;;
    --mirror) [[ $# -ge 2 ]] || die "--mirror needs a value"; mirror="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case "$only" in ""|build|quickstart|ci) ;; *) die "--only: expected build, quickstart or ci, got '$only'" ;; esac
[[ "$(id -u)" == 0 ]] || die "needs root (debootstrap, chroot and mounts)"
if [[ -z "$commit" ]]; then
  commit="$(git -C "$repo" rev-parse HEAD)" || die "--commit not given and $repo is not a git repository"
  [[ -z "$(git -C "$repo" status --porcelain)" ]] || echo "fresh-machine-check: note: uncommitted changes in $repo are not tested" >&2
fi
logs="${logs:-$root/runs/fresh-machine-check/$(date -u +%Y%m%dT%H%M%SZ)}"
# logs are ours alone: refuse a folder someone else wrote
[[ ! -e "$logs" ]] || die "--logs: $logs already exists; name a new folder"
mkdir -p "$logs"
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }

chroot_dir="$(mktemp -d /var/tmp/minibert-fresh.XXXXXX)"
# it becomes the chroot's /, which every user (apt's _apt, say) must be able to enter
chmod 755 "$chroot_dir"
# mounts under the chroot, deepest first: ours and any a killed debootstrap left behind
mounts_in_chroot() { findmnt -rn -o TARGET | awk -v d="$chroot_dir/" 'index($0, d) == 1' | sort -r; }
cleanup() {
  local m
  for m in $(mounts_in_chroot); do
    umount "$m" 2>/dev/null || umount -l "$m" || echo "fresh-machine-check: could not unmount $m" >&2
  done
  if ((keep)); then
    echo "fresh-machine-check: chroot kept in $chroot_dir" >&2
  elif [[ -n "$(mounts_in_chroot)" ]]; then
    echo "fresh-machine-check: $chroot_dir still has mounts; not removing it" >&2
  else
    # one filesystem only: never follow into anything still bound from the host
    rm -rf --one-file-system "$chroot_dir"
  fi
}
trap cleanup EXIT

now() { date +%s.%N; }
minutes_since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", (e - s) / 60 }'; }
summary="$logs/timings.txt"
# step NAME COMMAND...: runs COMMAND in the chroot as the user would, logs it, records exit status and wall time
step() {
  local name="$1" start rc
  shift
  echo "fresh-machine-check: [$name] $*" >&2
  start="$(now)"
  set +e
  chroot "$chroot_dir" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -lc "cd /root/minibert && $*" 2>&1 | tee "$logs/$name.log"
  rc="${PIPESTATUS[0]}"
  set -e
  printf '%-10s exit %-3s %6s min   %s\n' "$name" "$rc" "$(minutes_since "$start")" "$*" | tee -a "$summary"
  return "$rc"
}

echo "fresh-machine-check: debootstrap bookworm into $chroot_dir (logs in $logs)" >&2
start="$(now)"
debootstrap bookworm "$chroot_dir" "$mirror" >"$logs/debootstrap.log" 2>&1 || die "debootstrap failed; see $logs/debootstrap.log"
mount -t proc proc "$chroot_dir/proc"
mount -t sysfs sysfs "$chroot_dir/sys"
mount --bind /dev "$chroot_dir/dev"
mount --bind /dev/pts "$chroot_dir/dev/pts"
cp -L /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
# what the Debian installer writes (debootstrap writes none): the machine's own name resolves, as Spark's driver needs
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$(hostname)" >"$chroot_dir/etc/hosts"
# what a bookworm install's apt sources hold (debootstrap writes only the release itself)
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
  "$mirror" "$mirror" >"$chroot_dir/etc/apt/sources.list"
# this machine's extra CAs (an egress proxy's, say): without them neither apt over https nor Maven reach anything
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mkdir -p "$chroot_dir/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$chroot_dir/usr/local/share/ca-certificates/"
fi
{
  chroot "$chroot_dir" apt-get update
  DEBIAN_FRONTEND=noninteractive chroot "$chroot_dir" apt-get install -y openjdk-17-jdk-headless maven git ${with[@]+"${with[@]}"}
  chroot "$chroot_dir" update-ca-certificates
} >"$logs/setup.log" 2>&1 || die "installing Java, Maven and git failed; see $logs/setup.log"
printf '%-10s exit %-3s %6s min   %s\n' setup 0 "$(minutes_since "$start")" \
  "debootstrap bookworm; apt-get install openjdk-17-jdk-headless maven git ${with[*]}" | tee -a "$summary"
git clone -q --no-checkout "$repo" "$chroot_dir/root/minibert"
clone="$chroot_dir/root/minibert"
# a branch other than the cloned HEAD exists only as origin/NAME in the clone
sha="$(git -C "$clone" rev-parse -q --verify "$commit^{commit}" || git -C "$clone" rev-parse -q --verify "origin/$commit^{commit}")" \
  || die "--commit: $commit is not a commit of $repo"
git -C "$clone" checkout -q --detach "$sha"
echo "commit $sha" | tee -a "$summary"

failed=0
# the first build on its own, so its time (mostly Maven downloading DL4J) reads apart from the commands'
step build ./minibert --version || failed=1
if [[ "$only" != build ]]; then
  [[ "$only" == ci ]] || step quickstart ./minibert quickstart || failed=1
  [[ "$only" == quickstart ]] || step ci .ci/run || failed=1
fi
echo "fresh-machine-check: timings (also in $summary):" >&2
cat "$summary" >&2
exit "$failed"
}
