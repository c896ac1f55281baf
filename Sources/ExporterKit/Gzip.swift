import CZlib

/// gzip through the system's zlib: the publisher compresses each new exposition once, so a scrape asking for
/// gzip gets bytes that are already compressed.
public enum Gzip {
    /// A gzip member holding `bytes`, or nil if zlib fails (then the plain body is served).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8]? {
        let capacity = czlib_gzip_bound(bytes.count)
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = bytes.withUnsafeBytes { input in
                czlib_gzip(input.baseAddress, input.count, buffer.baseAddress, capacity, level)
            }
        }
        return output.isEmpty ? nil : output
    }
}
