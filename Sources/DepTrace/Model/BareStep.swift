/// A step record without its vocabulary ids: everything the metrics use, in
/// a value that copies without reference counting. The readers hand one to
/// the engine for every step they read (``Step`` holds an array, and every
/// copy of one costs a retain, a release and outlined copies).
struct BareStep: Sendable, Hashable {
    var phase: Phase
    /// The first query id.
    var first: Int
    /// The number of queries.
    var count: Int
    /// The kind given in the record, or nil for the phase's default.
    var explicitKind: TokenKind?
    /// The step's end time in nanoseconds since the trace started.
    var time: Int?

    /// The kind of the step's tokens: the explicit one or the phase's default.
    var kind: TokenKind { explicitKind ?? phase.defaultKind }
}

extension Step {
    /// The step `bare` describes, without vocabulary ids.
    init(_ bare: BareStep) {
        self.init(phase: bare.phase, first: bare.first, count: bare.count, kind: bare.explicitKind, time: bare.time)
    }

    /// The step without its vocabulary ids.
    var bare: BareStep { BareStep(phase: phase, first: first, count: count, explicitKind: explicitKind, time: time) }
}
