// swift-tools-version:6.0
// akash-cost-exporter: the Swift toolchain alone, no package dependencies.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "akash-cost-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "akash-cost-exporter", targets: ["akash-cost-exporter"]),
    ],
    targets: [
        // epoll/eventfd/accept4, which the Glibc module does not export.
        .target(name: "CEpoll"),
        // The system's OpenSSL (libssl-dev) for TLS, libcrypt (libcrypt-dev) for bcrypt, zlib (zlib1g-dev) for gzip.
        .target(name: "COpenSSL", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .target(name: "CCrypt", linkerSettings: [.linkedLibrary("crypt")]),
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // Revision and build date, injected by scripts/build-release.sh with -Xcc -D...; "unknown" otherwise.
        .target(name: "CBuildStamp"),
        // libcurl's easy interface for the upstream client, loaded with dlopen at start-up (see CCurl.h); the
        // variadic curl_easy_setopt is called through typed wrappers.
        .target(name: "CCurl"),
        // Process-wide settings: SIGTERM/SIGINT as bytes on a pipe (a C handler), malloc's arena limit.
        .target(name: "CProcess"),
        // Go and flag durations (`1h30m`, `250ms`): one grammar for the web config and the flags.
        .target(name: "Durations", swiftSettings: strict),
        // Prometheus text format 0.0.4: knows nothing of Akash.
        .target(name: "Exposition", swiftSettings: strict, linkerSettings: [.linkedLibrary("m")]),
        // Raw-socket HTTP/1.1 server: knows nothing of metrics.
        .target(name: "HTTPServer", dependencies: ["CEpoll", "COpenSSL", "CCrypt", "Durations"], swiftSettings: strict),
        // Generic exporter runtime: flags, logging, upstream client, poll scheduling, state file, self metrics.
        .target(name: "ExporterKit", dependencies: ["CCurl", "CProcess", "Exposition", "CZlib", "Durations"], swiftSettings: strict),
        // The Akash/CoinMarketCap sources, signals and the wiring of the exporter.
        .target(name: "AkashExporter", dependencies: ["ExporterKit", "Exposition", "HTTPServer", "CBuildStamp"], swiftSettings: strict),
        .executableTarget(name: "akash-cost-exporter", dependencies: ["AkashExporter"], swiftSettings: strict),
        // Poll and render time of the account area against a loopback fake chain (scripts/bench_account.sh).
        .executableTarget(name: "AccountBench", dependencies: ["AkashExporter", "ExporterKit", "Exposition", "TestSupport"],
                          path: "Benchmarks/AccountBench", swiftSettings: strict),
        // Poll and render time of the provider view against a loopback fake chain (scripts/bench_provider.sh).
        .executableTarget(name: "ProviderBench", dependencies: ["AkashExporter", "ExporterKit", "Exposition", "TestSupport"],
                          path: "Benchmarks/ProviderBench", swiftSettings: strict),
        // Poll, join and collect time, memory and series count of the paid-price index (scripts/bench_paid_index.sh).
        .executableTarget(name: "PaidIndexBench", dependencies: ["AkashExporter", "ExporterKit", "Exposition", "TestSupport"],
                          path: "Benchmarks/PaidIndexBench", swiftSettings: strict),

        // Benchmark helpers run by scripts/bench.sh: the HTTP server alone, and the renderer's cost.
        .executableTarget(name: "bench-server", dependencies: ["HTTPServer"], path: "Benchmarks/BenchServer", swiftSettings: strict),
        .executableTarget(name: "bench-render", dependencies: ["Exposition"], path: "Benchmarks/RenderBench", swiftSettings: strict),
        // Per-request memory of the upstream client and of JSON decoding, each alone (to tell a slow creep's cause).
        .executableTarget(name: "upstream-probe", dependencies: ["ExporterKit"], path: "Benchmarks/UpstreamProbe", swiftSettings: strict),

        // Fake upstreams on loopback and fixture loading, shared by the test targets.
        .target(name: "CTestSupport", path: "Tests/CTestSupport"),
        .target(name: "TestSupport", dependencies: ["CTestSupport", "ExporterKit"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "Durations", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ExporterKitTests", dependencies: ["ExporterKit", "Exposition", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "AkashExporterTests", dependencies: ["AkashExporter", "ExporterKit", "Exposition", "HTTPServer", "TestSupport"], swiftSettings: strict),
    ]
)
