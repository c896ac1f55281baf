import Foundation
import TestSupport
import Testing
@testable import HTTPServer

@Suite("Basic auth")
struct BasicAuthTests {
    private static let credentials = BasicAuthCredentials(username: "prometheus", password: "s3cr:et")
    private static let good = "Basic " + Data("prometheus:s3cr:et".utf8).base64EncodedString()

    private func server() throws -> HTTPServer {
        try startServer {
            $0.basicAuth = Self.credentials
            $0.unauthenticatedPaths = ["/-/healthy", "/-/ready"]
        }
    }

    @Test func missingOrWrongCredentialsGet401WithTheRealm() throws {
        let server = try server()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        let wrongPassword = "Basic " + Data("prometheus:s3cr:eT".utf8).base64EncodedString()
        for headers in ["", "Authorization: \(wrongPassword)\r\n", "Authorization: Bearer abc\r\n",
                        "Authorization: Basic !!notbase64\r\n", "Authorization: Basic\r\n"] {
            let response = try client.get("/metrics", headers: headers)
            #expect(response.status == 401, "\(headers)")
            #expect(response.header("WWW-Authenticate") == "Basic realm=\"akash-cost-exporter\"")
            #expect(!response.text.contains("GET /metrics"))
        }
    }

    @Test func rightCredentialsAreServed() throws {
        let server = try server()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        let response = try client.get("/metrics", headers: "Authorization: \(Self.good)\r\n")
        #expect(response.status == 200)
        #expect(response.text == "GET /metrics\n")
        #expect(try client.get("/metrics", headers: "authorization: basic \(Self.good.dropFirst(6))\r\n").status == 200)
    }

    @Test func healthPathsNeedNoCredentials() throws {
        let server = try server()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        #expect(try client.get("/-/healthy").status == 200)
        #expect(try client.get("/-/ready").status == 200)
        #expect(try client.get("/-/healthy/x").status == 401)
    }

    @Test func comparesWholeValues() {
        #expect(ConstantTime.equals(Array("a:b".utf8), Array("a:b".utf8)))
        #expect(!ConstantTime.equals(Array("a:bc".utf8), Array("a:b".utf8)))  // longer
        #expect(!ConstantTime.equals(Array("a:".utf8), Array("a:b".utf8)))    // prefix
        #expect(!ConstantTime.equals([], Array("a:b".utf8)))
    }

    @Test func loadsUsernameAndPasswordFromAFile() throws {
        let path = try temporaryFile("prometheus:s3cr:et\n")
        let loaded = try BasicAuthCredentials.load(path: path)
        #expect(loaded == Self.credentials)
        #expect(loaded.accepts(authorization: Self.good))
    }

    @Test(arguments: [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("user\n", "holds no username and password separated by a colon"),
        (":password\n", "holds no username and password separated by a colon"),
        ("user:\n", "holds no username and password separated by a colon"),
        ("a:b\nc:d\n", "has more than one line"),
    ])
    func badFilesAreErrorsNamingTheFileAndTheFormat(content: String, problem: String) throws {
        let path = try temporaryFile(content)
        #expect(throws: HTTPServerError.basicAuthFile(path: path, problem: problem)) {
            try BasicAuthCredentials.load(path: path)
        }
        #expect("\(HTTPServerError.basicAuthFile(path: path, problem: problem))"
            == "basic auth file \(path): \(problem); expected one line username:password")
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: HTTPServerError.basicAuthFile(path: "/nonexistent/auth", problem: "cannot be read")) {
            try BasicAuthCredentials.load(path: "/nonexistent/auth")
        }
    }

    private func temporaryFile(_ content: String) throws -> String {
        let path = NSTemporaryDirectory() + "basic-auth-\(UUID().uuidString)"
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
