import CBuildStamp

/// The exporter's name and version (`akash_exporter_build_info`, `--version`, the landing page). Revision, branch,
/// build date and user are stamped by a release build (scripts/build-release.sh, the Dockerfile); a plain
/// `swift build` says "unknown".
public enum BuildInfo {
    public static let program = "akash-cost-exporter"
    public static let version = "0.1.0"
    #if compiler(>=6.3)
    public static let swiftVersion = "6.3"
    #elseif compiler(>=6.2)
    public static let swiftVersion = "6.2"
    #elseif compiler(>=6.1)
    public static let swiftVersion = "6.1"
    #else
    public static let swiftVersion = "6.0"
    #endif

    public static let revision = stamped(cbuildstamp_revision())
    public static let branch = stamped(cbuildstamp_branch())
    /// `YYYYMMDD-HH:MM:SS` in UTC, as prometheus/common writes it.
    public static let buildDate = stamped(cbuildstamp_date())
    public static let buildUser = stamped(cbuildstamp_user())
    /// The toolchain's full version (6.3.1) when stamped, else what the compiler check above knows.
    public static let toolchainVersion = stamped(cbuildstamp_swift_version(), fallback: swiftVersion)

    /// GOOS/GOARCH style, as prometheus/common prints it: linux/amd64, linux/arm64.
    public static let platform: String = {
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "darwin"
        #else
        let os = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return "\(os)/\(arch)"
    }()

    /// `--version`, in prometheus/common's layout (`node_exporter --version`), with the Swift version where Go's is.
    public static var versionText: String {
        """
        \(program), version \(version) (branch: \(branch), revision: \(revision))
          build user:       \(buildUser)
          build date:       \(buildDate)
          swift version:    \(toolchainVersion)
          platform:         \(platform)
          tags:             unknown
        """
    }

    private static func stamped(_ value: UnsafePointer<CChar>, fallback: String = "unknown") -> String {
        let text = String(cString: value)
        return text.isEmpty ? fallback : text
    }
}
