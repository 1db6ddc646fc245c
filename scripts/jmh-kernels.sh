#!/usr/bin/env bash
# JMH benchmarks of the hot kernels (bench/src/main/java/dev/minibert/bench/kernels): LayerNorm and GELU
# forward/backward next to the ND4J op chains they replaced, and attention forward+backward.
# usage: scripts/jmh-kernels.sh [JMH ARGS]   (default: every kernel benchmark, one fork)
#   quick look:  scripts/jmh-kernels.sh -wi 1 -i 1 -w 1s -r 1s
#   one class:   scripts/jmh-kernels.sh LayerNormBench -p hidden=128
# Builds the bench module (tests skipped) when a source or pom is newer than its jar. Gemms get 2 BLAS
# threads (set in the benchmarks); ND4J's element-wise ops run on the one thread OMP_NUM_THREADS=1 gives them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/target/minibert-bench-$("$root/scripts/version.sh").jar"
classpath_file="$root/bench/target/jmh-classpath.txt"

needs_build() {
  [[ -f "$jar" && -f "$classpath_file" ]] || return 0
  [[ -n "$(find "$root" -path "$root/.git" -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$jar" -print -quit)" ]]
}

if needs_build; then
  echo "jmh-kernels: building the bench module (mvn package, tests skipped)..." >&2
  # every module of the reactor writes the file; bench comes last, so it holds bench's runtime classpath
  mvn -q -B -f "$root/pom.xml" -DskipTests -pl bench -am package dependency:build-classpath \
      -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime >&2
  touch "$jar"
fi
# the annotation processor writes this list; without it JMH finds no benchmarks
unzip -l "$jar" META-INF/BenchmarkList > /dev/null || { echo "jmh-kernels: $jar has no META-INF/BenchmarkList" >&2; exit 1; }

export OMP_NUM_THREADS=1
# OpenBLAS 0.3.19 (inside nd4j-native) picks its broken Cooperlake double kernels when the variable is set but empty.
if [[ -n "${OPENBLAS_CORETYPE+set}" && -z "$OPENBLAS_CORETYPE" ]]; then unset OPENBLAS_CORETYPE; fi

args=("$@")
(( ${#args[@]} > 0 )) || args=("dev.minibert.bench.kernels")
exec java --add-modules jdk.incubator.vector -cp "$jar:$(cat "$classpath_file")" org.openjdk.jmh.Main -f 1 "${args[@]}"
