/// The checks of `deptrace check`: limits per trace and per group, a minimum
/// ratio against a baseline run and a maximum regression against a previous run.
public enum Gate {
    /// The limits; nil means not checked.
    public struct Limits: Sendable, Hashable {
        public var maxPeak: Int?
        public var maxDep: Double?
        /// Minimum `ratio` (ratio of mean Dep) against the baseline run.
        public var minRatio: Double?
        /// Maximum rise, in percent, of a group's mean Dep or mean peak over the previous run.
        public var maxRegression: Double?
        /// Limits on any numeric metric, checked on every trace.
        public var bounds: [MetricBound]

        public init(maxPeak: Int? = nil, maxDep: Double? = nil, minRatio: Double? = nil, maxRegression: Double? = nil, bounds: [MetricBound] = []) {
            self.maxPeak = maxPeak
            self.maxDep = maxDep
            self.minRatio = minRatio
            self.maxRegression = maxRegression
            self.bounds = bounds
        }
    }

    /// One check and its verdict: a test case in JUnit terms.
    public struct Check: Sendable, Hashable {
        /// The group it belongs to (a test suite), such as `method=h2o`.
        public var suite: String
        /// What was checked, such as `runs/a.dtrace.jsonl#0 sample=3: peak`.
        public var name: String
        public var passed: Bool
        /// The measured value against the limit, in words.
        public var message: String

        public init(suite: String, name: String, passed: Bool, message: String) {
            self.suite = suite
            self.name = name
            self.passed = passed
            self.message = message
        }
    }

    /// Runs every check whose limit is set.
    ///
    /// - Parameters:
    ///   - outcomes: the traces under test; unanalysed ones fail a `valid` check.
    ///   - baseline: the baseline run for `minRatio`.
    ///   - previous: the previous run for `maxRegression`.
    ///   - groupBy: header keys that form groups (suites); `method` when empty.
    ///   - pairBy: header keys that pair a trace with its baseline trace.
    ///   - resamples, seed: for the ratio's bootstrap interval (shown in messages).
    /// - Returns: the checks, grouped by suite in order of first appearance.
    public static func evaluate(
        _ outcomes: [TraceOutcome], baseline: [TraceOutcome] = [], previous: [TraceOutcome] = [], limits: Limits,
        groupBy: [String] = ["method"], pairBy: [String] = ["sample", "dataset"], resamples: Int = Bootstrap.defaultResamples, seed: UInt64 = 0
    ) -> [Check] {
        let keys = groupBy.isEmpty ? ["method"] : groupBy
        func suite(_ outcome: TraceOutcome) -> String {
            keys.map { "\($0)=\(outcome.header?.text(forKey: $0) ?? "-")" }.joined(separator: " ")
        }
        var order: [String] = []
        var members: [String: [TraceOutcome]] = [:]
        for outcome in outcomes {
            let name = suite(outcome)
            if members[name] == nil { order.append(name) }
            members[name, default: []].append(outcome)
        }
        var checks: [Check] = []
        for name in order {
            let traces = members[name] ?? []
            for outcome in traces {
                let label = "\(outcome.file)#\(outcome.index)" + (outcome.header?.sample.map { " sample=\($0)" } ?? "")
                guard let metrics = outcome.metrics else {
                    checks.append(Check(suite: name, name: "\(label): valid", passed: false, message: "the trace breaks a rule of the format (see the diagnostics)"))
                    continue
                }
                if let maxPeak = limits.maxPeak {
                    checks.append(Check(suite: name, name: "\(label): peak", passed: metrics.peak <= maxPeak,
                                        message: "peak \(metrics.peak) \(metrics.peak <= maxPeak ? "<=" : ">") --max-peak \(maxPeak)"))
                }
                if let maxDep = limits.maxDep, let dep = metrics.dep.doubleValue {
                    checks.append(Check(suite: name, name: "\(label): dep", passed: dep <= maxDep,
                                        message: "dep \(number(dep)) \(dep <= maxDep ? "<=" : ">") --max-dep \(number(maxDep))"))
                }
                for bound in limits.bounds {
                    guard let value = metrics.value(named: bound.metric)?.doubleValue else {
                        checks.append(Check(suite: name, name: "\(label): \(bound.metric)", passed: false,
                                            message: "\(bound.metric) has no value in this trace\(bound.metric.contains("bytes") ? " (its header gives no kv_bytes_per_token)" : ""), so its \(bound.kind == .maximum ? "maximum" : "minimum") \(number(bound.limit)) cannot be checked"))
                        continue
                    }
                    let passed = bound.passes(value)
                    let relation = bound.kind == .maximum ? (passed ? "<=" : ">") : (passed ? ">=" : "<")
                    checks.append(Check(suite: name, name: "\(label): \(bound.metric)", passed: passed,
                                        message: "\(bound.metric) \(number(value)) \(relation) \(bound.kind == .maximum ? "maximum" : "minimum") \(number(bound.limit))"))
                }
            }
            if let minRatio = limits.minRatio {
                let options = ComparisonOptions(pairBy: pairBy, groupBy: keys.filter { $0 != "method" }, resamples: resamples, seed: seed)
                let comparisons = RunComparison.compare(baseline: baseline, runs: traces, options: options)
                for comparison in comparisons {
                    let passed = (comparison.ratio.value ?? 0) >= minRatio
                    var message: String
                    if let ratio = comparison.ratio.value {
                        message = "ratio \(number(ratio)) \(passed ? ">=" : "<") --min-ratio \(number(minRatio)) over \(comparison.paired) paired samples"
                        if let low = comparison.ratio.low, let high = comparison.ratio.high { message += " (95% interval \(number(low))–\(number(high)))" }
                    } else {
                        message = "no ratio: no sample is paired with the baseline run"
                        let disagreeing = comparison.pairingKeys.filter(\.disagrees)
                        if !disagreeing.isEmpty {
                            message += " (" + disagreeing.map { "\($0.key): \(RunComparison.sampleOf($0.method)) here, \(RunComparison.sampleOf($0.baseline)) in the baseline" }.joined(separator: "; ") + ")"
                        }
                    }
                    if !comparison.unpairedMethod.isEmpty { message += "; unpaired: \(comparison.unpairedMethod.joined(separator: ", "))" }
                    checks.append(Check(suite: name, name: "\(name): ratio vs baseline \(comparison.baseline)", passed: passed, message: message))
                }
            }
            if let maxRegression = limits.maxRegression {
                let before = previous.filter { suite($0) == name }.compactMap(\.metrics)
                let now = traces.compactMap(\.metrics)
                for (metric, value) in [("dep", { (m: TraceMetrics) in m.dep.doubleValue ?? 0 }), ("peak", { (m: TraceMetrics) in Double(m.peak) })] {
                    guard let old = Statistics.mean(before.map(value)), let new = Statistics.mean(now.map(value)) else {
                        checks.append(Check(suite: name, name: "\(name): \(metric) regression", passed: false,
                                            message: "no trace of this group in the previous run to compare with"))
                        continue
                    }
                    let change = old > 0 ? (new - old) / old * 100 : (new > 0 ? Double.infinity : 0)
                    let passed = change <= maxRegression
                    checks.append(Check(suite: name, name: "\(name): \(metric) regression", passed: passed,
                                        message: "mean \(metric) \(number(new)) vs previous \(number(old)): \(change >= 0 ? "+" : "")\(number(change))% \(passed ? "<=" : ">") --max-regression \(number(maxRegression))%"))
                }
            }
        }
        return checks
    }

    /// A number with at most 4 decimals, trailing zeros dropped.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        if value == value.rounded(), abs(value) < 9e15 { return String(Int(value)) }
        let scaled = (value * 10_000).rounded() / 10_000
        var text = "\(scaled)"
        if text.contains("e") { text = "\(value)" }
        return text
    }
}
