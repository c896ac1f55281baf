#if canImport(Glibc)
import Glibc
#endif
import AkashExporter
import ExporterKit
import FoundationEssentials

// SIGPIPE would kill the process when a scraper hangs up mid-response.
signal(SIGPIPE, SIG_IGN)

let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
// One malloc arena for every thread: 0.6 MiB less resident after a 64-connection scrape load, no loss of
// throughput (scripts/soak.sh, scripts/bench.sh). Before any thread starts.
MallocArenas.limit(to: 1, environment: environment)
// Large upstream bodies always in blocks of their own, unmapped when freed (LargeBodyMemory has the numbers).
LargeBodyMemory.fixMmapThreshold(environment: environment)

func fail(_ message: String, code: Int32) -> Never {
    SystemFile.writeStandardError("\(BuildInfo.program): \(message)\n")
    exit(code)
}

let config: ExporterConfig
do {
    switch try ExporterConfig.parse(arguments: arguments, environment: environment) {
    case .help(let text):
        print(text, terminator: "")
        exit(0)
    case .version(let text):
        print(text)
        exit(0)
    case .run(let parsed):
        config = parsed
    }
} catch {
    fail(error.description, code: 2)
}

// libcurl is loaded now, before any other thread starts (CCurl.h says why it is loaded rather than linked).
do {
    try CurlUpstream.load()
} catch {
    fail(error.message, code: 1)
}

let logger = Logger(level: config.core.logLevel, format: config.core.logFormat)
let exporter = Exporter(config: config, logger: logger)

if config.core.once {
    let (exposition, allSucceeded) = await exporter.runOnce()
    SystemFile.writeStandardOutput(Data(exposition))
    exit(allSucceeded ? 0 : 1)
}

do {
    exit(try await exporter.run())
} catch {
    logger.error("cannot start", ["err": "\(error)"])
    exit(1)
}
