/// Choices that change how metrics are computed, and bounds on what a trace may cost.
public struct AnalysisOptions: Sendable, Hashable {
    /// The phases whose steps count toward `dep` and `full_dep` (default: decode only, as in the paper).
    public var countedPhases: PhaseSet
    /// Bounds on what reading one trace may hold.
    public var limits: ResourceLimits

    /// The most streams (`layers × heads`) a header may declare.
    public var maxStreams: Int {
        get { limits.maxStreams }
        set { limits.maxStreams = newValue }
    }

    /// The default bound on streams: far above any model's layers × heads.
    public static let defaultMaxStreams = ResourceLimits.defaultMaxStreams

    public init(countedPhases: PhaseSet = .decode, maxStreams: Int = AnalysisOptions.defaultMaxStreams) {
        self.countedPhases = countedPhases
        self.limits = ResourceLimits(maxStreams: maxStreams)
    }

    public init(countedPhases: PhaseSet = .decode, limits: ResourceLimits) {
        self.countedPhases = countedPhases
        self.limits = limits
    }
}
