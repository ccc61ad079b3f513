#!/usr/bin/env bash
# Builds the native executable (target/cascade-*-runner). Uses a local GraalVM/Mandrel
# native-image when there is one, otherwise a container build. On machines with neither, pass
# --sources-only to run every Quarkus native build step and leave the native-image inputs in
# target/native-sources.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--sources-only" ]; then
  exec ./mvnw -B package -Dnative -DskipTests -Dquarkus.native.sources-only=true
fi
if command -v native-image >/dev/null 2>&1; then
  exec ./mvnw -B package -Dnative -DskipTests
fi
exec ./mvnw -B package -Dnative -DskipTests -Dquarkus.native.container-build=true
