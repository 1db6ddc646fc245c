#!/usr/bin/env bash
# Prints minibert's version, read from the parent pom's own <version> (the one place it is written): the launcher and
# the scripts name the jars with it (MODULE/target/minibert-MODULE-VERSION.jar). usage: scripts/version.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# the project's <version> is the only one indented by two spaces (dependencies and plugins sit deeper)
version="$(sed -n 's:^  <version>\([^<]*\)</version>[[:space:]]*$:\1:p' "$root/pom.xml" | head -n 1)"
[[ -n "$version" ]] || { echo "minibert: no <version> of the project in $root/pom.xml" >&2; exit 1; }
echo "$version"
