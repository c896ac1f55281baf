# syntax=docker/dockerfile:1
# akash-cost-exporter: a static-stdlib release build on the Swift image, run as a non-root user on slim Ubuntu.
#   docker build -t akash-cost-exporter .
#   docker run -p 9877:9877 -e CMC_API_KEY -e AKASH_EXPORTER_AKASH_OWNER=akash1... akash-cost-exporter

ARG SWIFT_VERSION=6.3.1
ARG UBUNTU_VERSION=noble

FROM swift:${SWIFT_VERSION}-${UBUNTU_VERSION} AS build
WORKDIR /src
# Manifest first: the package has no dependencies to resolve, but this keeps the layer order conventional.
COPY Package.swift ./
COPY Sources ./Sources
# SwiftPM checks that every declared target's directory exists, test and benchmark targets included.
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
COPY scripts/build-release.sh ./scripts/build-release.sh
# Linking FoundationNetworking statically needs libcurl's development files (the link fails with undefined curl_*
# symbols without them); the official image ships them, this makes sure. The HTTP server's TLS, bcrypt and gzip
# use the system's OpenSSL, libcrypt and zlib (headers here; libssl3, libcrypt1 and zlib1g at run time).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4-openssl-dev libssl-dev libcrypt-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
# The version stamp of --version: docker build --build-arg REVISION=$(git rev-parse HEAD) --build-arg BRANCH=main .
ARG REVISION=unknown
ARG BRANCH=unknown
RUN REVISION="$REVISION" BRANCH="$BRANCH" BUILD_USER=docker scripts/build-release.sh --static-swift-stdlib --product akash-cost-exporter \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/akash-cost-exporter" /out/akash-cost-exporter

# Same Ubuntu release as the builder: the binary links glibc and libstdc++ dynamically. FoundationNetworking uses
# libcurl (the curl package brings it, and the curl binary serves the healthcheck); CA certificates for HTTPS.
FROM ubuntu:${UBUNTU_VERSION}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
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
