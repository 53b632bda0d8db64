/// Consecutive steps of one query each, of one phase and kind, whose ids
/// follow one another: decoding as most traces record it, one token per
/// forward pass. The assembler gathers them and applies them together
/// (``TraceAnalyzer/apply(oneQuerySteps:first:phase:kind:time:)``).
struct StepRun {
    /// The most steps gathered before they are applied, so that memory stays
    /// small however long a trace decodes without other records.
    static let maxLength = 4096

    private(set) var phase = Phase.decode
    private(set) var kind = TokenKind.output
    /// The first step's id.
    private(set) var first = 0
    /// The last time among the steps.
    private(set) var time: Int?
    /// The number of steps gathered.
    private(set) var count = 0
    /// Where each step was read, to report the right one if the run has to be
    /// applied step by step: the first, and the others (stored only once there
    /// are others, as a lone step between other records is common).
    private var firstLocation = InputLocation.offset(0)
    private var laterLocations: [InputLocation] = []

    var isEmpty: Bool { count == 0 }

    /// Adds `step` read at `location` when it continues the run; returns false when it does not.
    @inline(__always)
    mutating func extend(with step: BareStep, at location: InputLocation) -> Bool {
        guard step.count == 1, count > 0, count < StepRun.maxLength,
              step.first == first &+ count, step.phase == phase, step.kind == kind
        else { return false }
        if count == 1 { laterLocations.removeAll(keepingCapacity: true) }
        laterLocations.append(location)
        count &+= 1
        if let stepTime = step.time { time = stepTime }
        return true
    }

    /// Starts a run with `step`, which must have one query, read at `location`.
    @inline(__always)
    mutating func start(with step: BareStep, at location: InputLocation) {
        phase = step.phase
        kind = step.kind
        first = step.first
        time = step.time
        firstLocation = location
        count = 1
    }

    /// Forgets the steps, keeping the storage.
    mutating func clear() { count = 0 }

    /// The one step of a run of one, where it was read.
    var onlyStep: (BareStep, InputLocation)? {
        count == 1 ? (BareStep(phase: phase, first: first, count: 1, explicitKind: kind, time: time), firstLocation) : nil
    }

    /// The run's steps one by one, where they were read; only the last keeps
    /// the run's time, which is all that applying them one by one needs.
    func steps() -> [(BareStep, InputLocation)] {
        (0..<count).map { index in
            (BareStep(phase: phase, first: first &+ index, count: 1, explicitKind: kind, time: index == count &- 1 ? time : nil),
             index == 0 ? firstLocation : laterLocations[index &- 1])
        }
    }
}
