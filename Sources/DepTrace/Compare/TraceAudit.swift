/// What `deptrace audit` finds in one trace: its budget and where it comes
/// from, the first step that breaks it, claims of its `end` record that the
/// trace does not bear out, and whether it is complete.
public struct TraceAudit: Sendable {
    /// Where a budget was read.
    public enum BudgetSource: String, Sendable, Hashable {
        case option, header, end
    }

    /// One finding; failures make the audit fail, notes explain.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            case budgetExceeded = "budget"
            case claimMismatch = "claim"
            case incomplete
            case invalid
            case note
        }

        public var kind: Kind
        public var failed: Bool
        public var message: String

        public var description: String { (failed ? "FAIL " : kind == .note ? "note " : "warn ") + message }
    }

    public var file: String
    public var trace: Int
    public var sample: String?
    public var method: String?
    public var dataset: String?
    public var budget: Int?
    public var budgetSource: BudgetSource?
    public var peak: Int?
    public var dep: Double?
    /// The first step over the budget, with its context.
    public var firstOffendingStep: BudgetAuditor.Rise?
    public var findings: [Finding]

    public var failed: Bool { findings.contains(where: \.failed) }

    /// Audits one trace read by a ``BudgetAuditor``.
    ///
    /// - Parameters:
    ///   - record: the trace.
    ///   - budget: `--budget`; otherwise the header's `budget`, then the `end` record's.
    public init(_ record: BudgetAuditor.TraceRecord, budget option: Int? = nil) {
        let outcome = record.outcome
        file = outcome.file
        trace = outcome.index
        sample = outcome.header?.sample
        method = outcome.header?.method
        dataset = outcome.header?.dataset
        peak = outcome.metrics?.peak
        dep = outcome.metrics?.dep.doubleValue
        findings = []
        let endBudget = record.claims?["budget"]?.intValue
        if let option {
            (budget, budgetSource) = (option, .option)
        } else if let header = outcome.header?.budget {
            (budget, budgetSource) = (header, .header)
        } else if let endBudget {
            (budget, budgetSource) = (endBudget, .end)
        }
        guard let metrics = outcome.metrics else {
            findings.append(Finding(kind: .invalid, failed: true, message: "the trace breaks a rule of the format and was not analysed (see the diagnostics)"))
            return
        }
        switch outcome.status {
        case .incomplete:
            findings.append(Finding(kind: .incomplete, failed: false, message: "incomplete trace: no 'end' record, so its claims and outcome are unknown"))
        case .damaged:
            findings.append(Finding(kind: .incomplete, failed: false, message: "damaged trace: analysed only up to the damage"))
        default:
            break
        }
        if let budget, let budgetSource, let step = record.firstStep(over: budget) {
            firstOffendingStep = step
            var message = "budget \(budget) (from \(budgetSource == .option ? "--budget" : budgetSource == .header ? "the header" : "the end record")) "
                + "broken first at step \(step.step) (record \(step.record), \(step.phase.description), ids \(step.first)..<\(step.first + step.queries)): "
                + "stream \(step.stream) attends to \(step.visibleBefore) visible + \(step.queries) new = \(step.attended) tokens"
            if let previous = step.previousAttended { message += "; the step before attended to \(previous)" }
            message += "; peak \(metrics.peak)"
            findings.append(Finding(kind: .budgetExceeded, failed: true, message: message))
            if metrics.peak == budget + 1 {
                findings.append(Finding(kind: .note, failed: false, message:
                    "a budget bounds what a step attends to, its own queries included: a cache that keeps S = \(budget) tokens between steps and appends the new one reads S + 1 = \(budget + 1). "
                    + "The LightThinker evaluator reports such a method's peak as S without measuring it; to hold a budget of \(budget), keep \(budget - 1) between steps"))
            }
        }
        if let claims = record.claims {
            if let claimed = claims["peak"]?.intValue, claimed != metrics.peak {
                findings.append(Finding(kind: .claimMismatch, failed: true, message: "the end record claims peak \(claimed); the trace's peak is \(metrics.peak) (\(metrics.peak - claimed > 0 ? "+" : "")\(metrics.peak - claimed))"))
            }
            if let claimed = claims["dep"]?.intValue, let measured = dep, Double(claimed) != measured {
                findings.append(Finding(kind: .claimMismatch, failed: true, message: "the end record claims dep \(claimed); the trace's dep is \(Gate.number(measured)) (\(Gate.number(measured - Double(claimed)))"))
            }
            if let declared = claims["compression_ratio"]?.doubleValue {
                findings += Self.compressionRatioFindings(declared: declared, prompt: metrics.promptTokens, afterPrefill: record.afterPrefill)
            }
        }
    }

    /// Holds a declared `compression_ratio` (kvpress's: the fraction of the
    /// prompt's KV pairs a press removes) against the cache after the prefill.
    ///
    /// The claim is about memory: it fails when the cache still holds more of
    /// the prompt than the ratio allows (one token of rounding is allowed, as
    /// presses round the kept count), and says so when attention reads less
    /// than memory holds: a press that masks instead of freeing.
    static func compressionRatioFindings(declared: Double, prompt: Int, afterPrefill: BudgetAuditor.AfterPrefill?) -> [Finding] {
        guard declared.isFinite, declared >= 0, declared <= 1 else {
            return [Finding(kind: .claimMismatch, failed: true, message: "the end record declares compression_ratio \(Gate.number(declared)), which is not a fraction between 0 and 1")]
        }
        guard let after = afterPrefill, prompt > 0 else {
            return [Finding(kind: .note, failed: false, message: "the end record declares compression_ratio \(Gate.number(declared)), but the trace has no prefill step to hold it against")]
        }
        let p = Double(prompt)
        let freed = 1 - after.resident / p
        let unread = 1 - after.visible / p
        let tolerance = 1 / p
        let shown = { (value: Double) in value == value.rounded() ? String(Int(value)) : PrintfFormat.string("%.3f", value) }
        let held = "after the prefill the cache holds \(shown(after.resident)) of the \(prompt) prompt tokens (mean over streams): it frees \(shown(freed))"
        var findings: [Finding] = []
        if freed + tolerance < declared {
            var message = "the end record declares compression_ratio \(Gate.number(declared)); \(held)"
            if unread + tolerance >= declared {
                message += ", and hides the rest of the declared ratio from attention (attention reads \(shown(after.visible)), a ratio of \(shown(unread))): masked keys still take memory"
            }
            findings.append(Finding(kind: .claimMismatch, failed: true, message: message))
        } else if after.visible < after.resident {
            findings.append(Finding(kind: .note, failed: false, message: "declared compression_ratio \(Gate.number(declared)) holds: \(held); attention reads \(shown(after.visible)) (a ratio of \(shown(unread)))"))
        }
        return findings
    }
}
