#!/usr/bin/env bash
# Builds the image docker-compose.yml runs, `colmeia:local`, on this machine and without a
# registry: the release binaries, the shared libraries they load (found with ldd: the Swift
# runtime, SQLite, zlib, libc), their resource bundles, busybox for the entrypoint's shell,
# and a minimal /etc — one root filesystem, `docker import`ed.
#
#   scripts/build-image.sh            # then: docker-compose up -d
#   IMAGE=colmeia:test scripts/build-image.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=${IMAGE:-colmeia:local}
cd "$ROOT"
command -v docker >/dev/null || { echo "build-image: docker is not installed (apt-get install docker.io)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "build-image: /bin/busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
echo "build-image: building colmeiad and colmeia (release)"
swift build -c release --product colmeiad >/dev/null
swift build -c release --product colmeia >/dev/null
BIN=$(swift build -c release --show-bin-path)

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
# mktemp makes its directory 0700: as the image's /, it would keep task users out of everything.
chmod 0755 "$STAGE"
mkdir -p "$STAGE"/{colmeia,bin,etc,tmp,data,run,tokens,root}
chmod 1777 "$STAGE/tmp"
cp "$BIN/colmeiad" "$BIN/colmeia" "$STAGE/colmeia/"
cp -R "$BIN"/*.resources "$STAGE/colmeia/"
cp deploy/compose/entrypoint.sh "$STAGE/colmeia/entrypoint.sh"
cp /bin/busybox "$STAGE/bin/busybox"
for applet in sh sleep cat echo ls mkdir mv rm touch wget hostname kill env test true false ps grep; do
    ln -s busybox "$STAGE/bin/$applet"
done
# Every library the binaries load, at the path the loader looks for it.
for lib in $(ldd "$BIN/colmeiad" "$BIN/colmeia" | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }' | sort -u); do
    mkdir -p "$STAGE$(dirname "$lib")"
    cp -L "$lib" "$STAGE$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$STAGE/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\ndocker:x:999:\n' > "$STAGE/etc/group"
printf 'hosts: files dns\n' > "$STAGE/etc/nsswitch.conf"
tar -C "$STAGE" -c . | docker import \
    --change 'ENV PATH=/colmeia:/bin' \
    --change 'ENTRYPOINT ["/colmeia/entrypoint.sh"]' \
    --change 'EXPOSE 2375 2377 9323' \
    - "$IMAGE" >/dev/null
echo "build-image: $IMAGE ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
