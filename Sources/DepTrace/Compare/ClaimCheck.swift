/// A claim set against the traces: measured value, difference and verdict.
public struct ClaimCheck: Sendable, Hashable {
    public enum Verdict: String, Sendable, Hashable {
        case pass
        case fail
        /// No trace of the claim's method (and dataset) has the metric.
        case noData = "no data"
    }

    public var claim: Claim
    /// The mean over traces (averaged over datasets' means when the claim names none).
    public var measured: Double?
    /// Traces measured.
    public var traces: Int
    public var verdict: Verdict
    /// For a peak claim that fails high: the first step, in input order, that
    /// attends to more than the claimed value plus the tolerance.
    public var firstOffendingStep: (file: String, trace: Int, sample: String?, step: BudgetAuditor.Rise)?

    public static func == (lhs: ClaimCheck, rhs: ClaimCheck) -> Bool {
        lhs.claim == rhs.claim && lhs.measured == rhs.measured && lhs.traces == rhs.traces && lhs.verdict == rhs.verdict
            && lhs.firstOffendingStep?.step == rhs.firstOffendingStep?.step
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(claim) }

    /// Checks each claim against traces read by a ``BudgetAuditor``: as
    /// ``check(_:against:)``, and names the first step that breaks a peak claim.
    public static func check(_ claims: [Claim], against traces: [BudgetAuditor.TraceRecord]) -> [ClaimCheck] {
        var checks = check(claims, against: traces.map(\.outcome))
        for index in checks.indices where checks[index].claim.metric == "peak" && checks[index].verdict == .fail {
            let claim = checks[index].claim
            let limit = Int((claim.value + claim.allowedDifference).rounded(.down))
            for trace in traces where trace.outcome.header?.method == claim.method && (claim.dataset == nil || trace.outcome.header?.dataset == claim.dataset) {
                if let step = trace.firstStep(over: limit) {
                    checks[index].firstOffendingStep = (trace.outcome.file, trace.outcome.index, trace.outcome.header?.sample, step)
                    break
                }
            }
        }
        return checks
    }

    /// `measured − claimed`.
    public var difference: Double? { measured.map { $0 - claim.value } }

    /// Checks each claim against the analysed traces in `outcomes`.
    ///
    /// A claim without a dataset is read as Table 1 of the LightThinker paper
    /// reads its average: the mean over datasets of each dataset's mean.
    public static func check(_ claims: [Claim], against outcomes: [TraceOutcome]) -> [ClaimCheck] {
        claims.map { claim in
            let traces = outcomes.filter { outcome in
                outcome.metrics != nil && outcome.header?.method == claim.method
                    && (claim.dataset == nil || outcome.header?.dataset == claim.dataset)
            }
            var datasets: [String?] = []
            var byDataset: [String?: [Double]] = [:]
            for outcome in traces {
                guard let metrics = outcome.metrics, let value = value(of: claim.metric, in: metrics) else { continue }
                let dataset = outcome.header?.dataset
                if byDataset[dataset] == nil { datasets.append(dataset) }
                byDataset[dataset, default: []].append(value)
            }
            let means = datasets.compactMap { Statistics.mean(byDataset[$0] ?? []) }
            let measured = Statistics.mean(means)
            let count = byDataset.values.reduce(0) { $0 + $1.count }
            let verdict: Verdict = measured.map { abs($0 - claim.value) <= claim.allowedDifference * (1 + 1e-12) ? .pass : .fail } ?? .noData
            return ClaimCheck(claim: claim, measured: measured, traces: count, verdict: verdict, firstOffendingStep: nil)
        }
    }

    private static func value(of metric: String, in metrics: TraceMetrics) -> Double? {
        if metric == "accuracy" { return metrics.correct.map { $0 ? 100 : 0 } }
        return metrics.value(named: metric)?.doubleValue
    }
}
