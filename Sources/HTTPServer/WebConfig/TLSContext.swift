#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// An OpenSSL server context built from `tls_server_config`: certificate and key loaded and matched, client
/// certificate policy, versions, ciphers, curves. Immutable once built; connections take a reference to it
/// (OpenSSL counts them), so a reload can replace it while older connections finish on the old one.
final class TLSContext: @unchecked Sendable {  // SSL_CTX is safe to share once configured
    let context: OpaquePointer
    /// `client_allowed_sans`, checked after each handshake.
    let allowedSANs: [String]?

    init(_ settings: WebConfig.TLSSettings) throws(WebConfigError) {
        let section = "tls_server_config"
        guard let context = cossl_server_context_new() else {
            throw WebConfigError(key: section, "OpenSSL could not create a TLS context: \(Self.lastError())")
        }
        self.context = context
        allowedSANs = settings.clientAllowedSANs

        let certificate = try Self.pem(settings.certificate, key: "\(section).cert_file", inlineKey: "\(section).cert")
        guard certificate.withUnsafeBytes({ cossl_use_certificate_chain(context, $0.baseAddress, $0.count) }) == 1 else {
            throw WebConfigError(key: Self.name(settings.certificate, "\(section).cert"),
                                 "not a PEM certificate (\(Self.lastError()))")
        }
        let key = try Self.pem(settings.key, key: "\(section).key_file", inlineKey: "\(section).key")
        guard key.withUnsafeBytes({ cossl_use_private_key(context, $0.baseAddress, $0.count) }) == 1 else {
            throw WebConfigError(key: Self.name(settings.key, "\(section).key"),
                                 "not a PEM private key matching the certificate (\(Self.lastError()))")
        }
        if let clientCA = settings.clientCA {
            let pem = try Self.pem(clientCA, key: "\(section).client_ca_file", inlineKey: "\(section).client_ca")
            guard pem.withUnsafeBytes({ cossl_add_client_cas(context, $0.baseAddress, $0.count) }) == 1 else {
                throw WebConfigError(key: Self.name(clientCA, "\(section).client_ca"), "holds no PEM CA certificate")
            }
        }
        let mode: Int32 = switch settings.clientAuth {
        case .noClientCert: 0
        case .requestClientCert: 1
        case .requireAnyClientCert: 2
        case .verifyClientCertIfGiven: 3
        case .requireAndVerifyClientCert: 4
        }
        cossl_set_client_auth(context, mode)
        guard cossl_set_versions(context, settings.minVersion.wireValue, settings.maxVersion.wireValue) == 1 else {
            throw WebConfigError(key: "\(section).min_version", "OpenSSL refused the version range: \(Self.lastError())")
        }
        cossl_set_server_preference(context, settings.preferServerCipherSuites ? 1 : 0)
        if !settings.cipherSuites.isEmpty {
            var names: [String] = []
            for suite in settings.cipherSuites {
                guard let name = cossl_cipher_openssl_name(suite) else {
                    throw WebConfigError(key: "\(section).cipher_suites", "unknown cipher \"\(suite)\"")
                }
                // Go applies cipher_suites up to TLS 1.2 only; TLS 1.3's suites are not configurable there.
                if !suite.hasPrefix("TLS_AES_") && !suite.hasPrefix("TLS_CHACHA20_") { names.append(String(cString: name)) }
            }
            if !names.isEmpty, cossl_set_cipher_list(context, names.joined(separator: ":")) != 1 {
                throw WebConfigError(key: "\(section).cipher_suites", "OpenSSL refused the list: \(Self.lastError())")
            }
        }
        if !settings.curvePreferences.isEmpty {
            let groups = settings.curvePreferences.compactMap { WebConfig.curves[$0] }.joined(separator: ":")
            guard cossl_set_groups(context, groups) == 1 else {
                throw WebConfigError(key: "\(section).curve_preferences", "OpenSSL refused the list: \(Self.lastError())")
            }
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// Whether the handshake's client certificate carries an allowed SAN (true when none are configured).
    func peerAllowed(_ ssl: OpaquePointer) -> Bool {
        guard let allowedSANs else { return true }
        var cStrings = allowedSANs.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        return cStrings.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) {
                cossl_peer_san_allowed(ssl, $0.baseAddress, Int32($0.count)) == 1
            }
        }
    }

    private static func name(_ source: WebConfig.PEMSource, _ inlineKey: String) -> String {
        if case .file = source { return inlineKey + "_file" }
        return inlineKey
    }

    private static func pem(_ source: WebConfig.PEMSource, key: String, inlineKey: String) throws(WebConfigError) -> [UInt8] {
        switch source {
        case .inline(let text):
            return Array(text.utf8)
        case .file(let path):
            do {
                return try FileBytes.read(path)
            } catch {
                throw WebConfigError(key: key, "cannot read \(path): \(error.reason)")
            }
        }
    }

    private static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        cossl_last_error(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "no detail" : text
    }
}

/// Reads a whole file with POSIX calls (no Foundation): the web config and the PEM files it names.
enum FileBytes {
    struct Failure: Error {
        let reason: String
    }

    static func read(_ path: String, limit: Int = 4 << 20) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= limit else { throw Failure(reason: "larger than \(limit >> 20) MiB") }
        }
    }

    /// What changes when a file is edited or replaced: inode, size, modification time. Nil when it cannot be read.
    static func stamp(_ path: String) -> [Int]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [Int(status.st_ino), Int(status.st_size), Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec),
                Int(status.st_ctim.tv_sec), Int(status.st_ctim.tv_nsec)]
    }
}
