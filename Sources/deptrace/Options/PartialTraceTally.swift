import DepTrace

/// Counts the traces left out of aggregates because they are incomplete or
/// damaged, and names the first few in one warning.
struct PartialTraceTally {
    private(set) var count = 0
    private var named: [String] = []

    mutating func add(_ outcome: TraceOutcome) {
        count += 1
        guard named.count < 3 else { return }
        let sample = outcome.header?.sample.map { " (sample \"\($0)\")" } ?? ""
        named.append("\(outcome.file) trace \(outcome.index)\(sample), \(outcome.status == .damaged ? "damaged" : "no end record")")
    }

    /// The warning to print, or nil when no trace was left out.
    var warning: Diagnostic? {
        guard count > 0 else { return nil }
        let more = count > named.count ? "; and \(count - named.count) more" : ""
        let noun = count == 1 ? "trace" : "traces"
        return Diagnostic(
            .warning, file: "deptrace",
            message: "\(count) partial \(noun) left out of the aggregates: \(named.joined(separator: "; "))\(more). Pass --include-incomplete to count them with the values they reached.")
    }
}
