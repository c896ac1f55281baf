
/// The one user allowed to read the exporter when basic auth is on, read from a file holding
/// `username:password` on one line (so the password is not in the process list or the environment).
public struct BasicAuthCredentials: Sendable, Equatable {
    /// `username:password` as the client sends it, base64-decoded.
    private let expected: [UInt8]

    public init(username: String, password: String) {
        expected = Array("\(username):\(password)".utf8)
    }

    public static func load(path: String) throws(HTTPServerError) -> BasicAuthCredentials {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw .basicAuthFile(path: path, problem: "cannot be read")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .basicAuthFile(path: path, problem: "is not UTF-8 text")
        }
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
        guard lines.count == 1, let line = lines.first else {
            throw .basicAuthFile(path: path, problem: lines.isEmpty ? "is empty" : "has more than one line")
        }
        guard let colon = line.firstIndex(of: ":"), colon != line.startIndex, line.index(after: colon) != line.endIndex else {
            throw .basicAuthFile(path: path, problem: "holds no username and password separated by a colon")
        }
        return BasicAuthCredentials(username: String(line[..<colon]), password: String(line[line.index(after: colon)...]))
    }

    /// Whether an `Authorization` header value carries these credentials. The comparison takes the same time
    /// wherever the first difference is, so timing tells an attacker nothing about the password.
    public func accepts(authorization: String?) -> Bool {
        guard let (user, password) = BasicAuthorization.decode(authorization) else { return false }
        return ConstantTime.equals(Array("\(user):\(password)".utf8), expected)
    }
}
