/// Choices that change how metrics are computed, and bounds on what a trace may cost.
public struct AnalysisOptions: Sendable, Hashable {
    /// The phases whose steps count toward `dep` and `full_dep` (default: decode only, as in the paper).
    public var countedPhases: PhaseSet
    /// The most streams (`layers × heads`) a header may declare.
    public var maxStreams: Int

    /// The default bound on streams: far above any model's layers × heads.
    public static let defaultMaxStreams = 1 << 20

    public init(countedPhases: PhaseSet = .decode, maxStreams: Int = AnalysisOptions.defaultMaxStreams) {
        self.countedPhases = countedPhases
        self.maxStreams = maxStreams
    }
}
