#!/usr/bin/env bash
# Installs the single-node Trino 476 (Athena engine 3 is Trino) that test/conformance/trino.test.ts
# starts: the server core's lib/ and the Hive connector plugin, from Maven Central through mvn
# (test/conformance/trino/pom.xml), unpacked under $STOCKPIPE_TRINO_HOME (default
# $HOME/.cache/stockpipe/trino-476). Idempotent: a finished install is left as it is. Trino 476
# needs Java 24 or newer: the test runs it with $STOCKPIPE_TRINO_JAVA_HOME (default
# /usr/lib/jvm/temurin-25-jdk-amd64), which this script checks.
set -euo pipefail
cd "$(dirname "$0")/.."

home="${STOCKPIPE_TRINO_HOME:-$HOME/.cache/stockpipe/trino-476}"
java_home="${STOCKPIPE_TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

if [ ! -x "$java_home/bin/java" ]; then
  echo "install-trino: no Java at $java_home (Trino 476 needs Java 24+; set STOCKPIPE_TRINO_JAVA_HOME)" >&2
  exit 1
fi
if [ -f "$home/.installed" ]; then
  echo "install-trino: Trino 476 is installed in $home"
  exit 0
fi
command -v mvn >/dev/null || { echo "install-trino: mvn is not installed" >&2; exit 1; }

started=$SECONDS
work="$home.partial"
rm -rf "$work"
mkdir -p "$work/download" "$work/plugin"
mvn --batch-mode --quiet -Dstyle.color=never -f test/conformance/trino/pom.xml dependency:copy-dependencies \
  -DoutputDirectory="$work/download"
# The server core: only its lib/ (the bundled plugins are not needed; Hive is added below).
tar -xzf "$work/download/trino-server-core-476.tar.gz" -C "$work" --strip-components=1 --wildcards '*/lib/*'
unzip -q "$work/download/trino-hive-476.zip" -d "$work/plugin"
mv "$work/plugin/trino-hive-476" "$work/plugin/hive"
rm -rf "$work/download"
touch "$work/.installed"
rm -rf "$home"
mv "$work" "$home"
echo "install-trino: Trino 476 installed in $home in $((SECONDS - started))s ($(du -sh "$home" | cut -f1))"
