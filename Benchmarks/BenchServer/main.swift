// Serves one fixed body on every path through `HTTPServer`: the server alone under load, for scripts/bench.sh.
//   bench-server --listen 127.0.0.1:9900 --body FILE [--loops N]
import Foundation
import HTTPServer

struct FixedBody: HTTPHandler {
    let response: HTTPResponse

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        response
    }
}

func argument(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

do {
    let body = try argument("--body").map { try Data(contentsOf: URL(fileURLWithPath: $0)) } ?? Data("ok\n".utf8)
    var configuration = HTTPServerConfiguration(listenAddress: try ListenAddress.parse(argument("--listen") ?? "127.0.0.1:9900"))
    if let loops = argument("--loops").flatMap(Int.init) { configuration.loopCount = loops }
    let response = HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                body: [UInt8](body))
    let server = HTTPServer(configuration: configuration, handler: FixedBody(response: response))
    try server.start()
    FileHandle.standardOutput.write(Data("listening on port \(server.port)\n".utf8))
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let stop = DispatchSemaphore(value: 0)
    let signals = [SIGTERM, SIGINT].map { signalNumber in
        let source = DispatchSource.makeSignalSource(signal: signalNumber)
        source.setEventHandler { stop.signal() }
        source.resume()
        return source
    }
    withExtendedLifetime(signals) { stop.wait() }
    server.shutdown(drainTimeout: 2)
} catch {
    FileHandle.standardError.write(Data("bench-server: \(error)\n".utf8))
    exit(2)
}
