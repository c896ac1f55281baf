/// The exporter's name and version (`akash_exporter_build_info`, `--version`, the landing page).
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
}
