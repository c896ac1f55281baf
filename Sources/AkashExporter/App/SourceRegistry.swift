import ExporterKit

/// Every source the exporter can poll, each declared once next to its code (`static let declaration`) and listed
/// here through its area. The exporter refuses to run a source that is not registered; the fault matrix, the app
/// tests' loopback routing, `scripts/fake_upstream_routes.json` and the README's sources table are derived from
/// this list, and tests fail when one of them is out of step with it.
public enum SourceRegistry {
    public static let all: [SourceDeclaration] = MarketArea.declarations + ComputeArea.declarations
        + AccountArea.declarations + ProviderArea.declarations + OnChainArea.declarations

    public static func declaration(named name: String) -> SourceDeclaration? {
        all.first { $0.name == name }
    }
}
