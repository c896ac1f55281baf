import ExporterKit
import FoundationEssentials

/// The HTML page at `/`: what this is, a link to the metrics, and the state of every source. It shows only
/// what the health registry holds (names, times, failure reasons): never a key or an upstream URL with secrets.
public struct LandingPage: Sendable {
    let telemetryPath: String
    let description: String

    public init(telemetryPath: String, description: String) {
        self.telemetryPath = telemetryPath
        self.description = description
    }

    public func render(health: [SourceHealth], now: Date) -> String {
        let rows = health.map { source -> String in
            let state: String
            switch source.up {
            case nil: state = "pending"
            case true?: state = "up"
            case false?: state = "down"
            }
            let lastSuccess = source.lastSuccess.map { Self.time($0) + " (" + Self.ago($0, now: now) + ")" } ?? "never"
            let failures = source.failures.filter { $0.value > 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
            return "<tr class=\"\(state)\"><td>\(Self.escape(source.name))</td><td>\(state)</td>"
                + "<td>\(Self.escape(lastSuccess))</td><td>\(source.requests)</td><td>\(Self.escape(failures))</td>"
                + "<td>\(Self.escape(source.lastError ?? ""))</td></tr>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(BuildInfo.program)</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}tr.down td{background:#fdd}tr.pending td{background:#ffd}</style>
            </head>
            <body>
            <h1>\(BuildInfo.program)</h1>
            <p>\(Self.escape(description))</p>
            <p>Version \(BuildInfo.version) &middot; <a href="\(Self.escape(telemetryPath))">Metrics</a> &middot; <a href="/-/healthy">Health</a> &middot; <a href="/-/ready">Readiness</a></p>
            <h2>Sources</h2>
            <table>
            <tr><th>Source</th><th>State</th><th>Last success</th><th>Requests</th><th>Failures</th><th>Last error</th></tr>
            \(rows.joined(separator: "\n"))
            </table>
            </body>
            </html>

            """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func time(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func ago(_ date: Date, now: Date) -> String {
        DurationParser.format(max(0, now.timeIntervalSince(date))) + " ago"
    }
}
