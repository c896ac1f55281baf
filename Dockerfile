# syntax=docker/dockerfile:1
# akash-cost-exporter: a static-stdlib release build on the Swift image, run as a non-root user on slim Debian.
#   docker build -t akash-cost-exporter .
#   docker run -p 9877:9877 -e CMC_API_KEY -e AKASH_EXPORTER_AKASH_OWNER=akash1... akash-cost-exporter

ARG SWIFT_VERSION=6.3.1
# Debian 12, the release CI builds and tests on: scripts/check_runtime_libs.sh proves the runtime stage's package
# list against the binary CI builds, so both stages use that release.
ARG DEBIAN_VERSION=bookworm

FROM swift:${SWIFT_VERSION}-${DEBIAN_VERSION} AS build
WORKDIR /src
# Manifest first: the package has no dependencies to resolve, but this keeps the layer order conventional.
COPY Package.swift ./
COPY Sources ./Sources
# SwiftPM checks that every declared target's directory exists, test and benchmark targets included.
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
COPY scripts/build-release.sh ./scripts/build-release.sh
# C headers of the system libraries our C targets wrap: OpenSSL, libcrypt and zlib for the HTTP server's TLS, bcrypt
# and gzip. libcurl needs none: Sources/CCurl declares what it uses and loads libcurl with dlopen at start-up.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libssl-dev libcrypt-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
# The version stamp of --version: docker build --build-arg REVISION=$(git rev-parse HEAD) --build-arg BRANCH=main .
ARG REVISION=unknown
ARG BRANCH=unknown
RUN REVISION="$REVISION" BRANCH="$BRANCH" BUILD_USER=docker scripts/build-release.sh --static-swift-stdlib --product akash-cost-exporter \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/akash-cost-exporter" /out/akash-cost-exporter

# Same Debian release as the builder. Exactly the packages of the shared libraries the binary links (ELF NEEDED, as
# `ldd` lists them: glibc, libstdc++, libgcc, OpenSSL, libcrypt, zlib) or loads itself at start-up (libcurl, with
# dlopen: Sources/CCurl/include/CCurl.h says why; libcurl's own libraries come with libcurl4), plus two that are no library: the CA certificates TLS verification reads, and curl for the HEALTHCHECK
# (docker-compose.yml's too). scripts/check_runtime_libs.sh checks this line against the binary.
FROM debian:${DEBIAN_VERSION}-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl libc6 libcrypt1 libcurl4 libgcc-s1 libssl3 libstdc++6 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/akash-cost-exporter --shell /usr/sbin/nologin exporter \
 && install -d -o exporter -g exporter -m 0750 /var/lib/akash-cost-exporter
COPY --from=build /out/akash-cost-exporter /usr/local/bin/akash-cost-exporter

USER exporter:exporter
WORKDIR /var/lib/akash-cost-exporter
# The state file (resolved ids, previous AKT quote, credits spent) lives on a volume in docker-compose.yml.
ENV AKASH_EXPORTER_STATE_FILE=/var/lib/akash-cost-exporter/state.json
EXPOSE 9877
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9877/-/healthy"]
ENTRYPOINT ["/usr/local/bin/akash-cost-exporter"]

# OCI image labels. Last in the file so that a new revision or date rebuilds only this metadata layer:
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg SOURCE="$(git remote get-url origin)" -t akash-cost-exporter .
# VERSION's default follows Sources/AkashExporter/Version.swift (scripts/check_deploy.py checks it); the others
# are empty unless given, rather than made up.
ARG VERSION=0.1.0
ARG REVISION=""
ARG CREATED=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="akash-cost-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Akash Network compute costs (GPU bid prices, lease spend, escrow runway) and the AKT market" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
