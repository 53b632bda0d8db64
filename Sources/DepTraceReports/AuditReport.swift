import DepTrace

/// The findings of `deptrace audit` and its claims table.
public enum AuditReport {
    /// One block per trace with findings, then the claims, then a verdict line.
    public static func text(_ audits: [TraceAudit], claims: [ClaimCheck], width: Int = Int.max) -> String {
        var output = ""
        for audit in audits where !audit.findings.isEmpty {
            output += "\(audit.file): trace \(audit.trace)" + (audit.sample.map { " (sample \"\($0)\")" } ?? "") + (audit.method.map { ", method \($0)" } ?? "") + "\n"
            for finding in audit.findings { output += "  \(finding)\n" }
        }
        if !claims.isEmpty {
            var table = TextTable(headers: ["method", "dataset", "metric", "measured", "claimed", "difference", "tolerance", "verdict"],
                                  alignments: [.left, .left, .left, .right, .right, .right, .right, .left])
            for check in claims {
                table.append([
                    check.claim.method, check.claim.dataset ?? "(average)", check.claim.metric, number(check.measured), number(check.claim.value),
                    check.difference.map { ($0 > 0 ? "+" : "") + number($0) } ?? "-",
                    check.claim.relative ? "\(number(check.claim.tolerance))%" : number(check.claim.tolerance),
                    check.verdict == .pass ? "pass" : check.verdict == .fail ? "FAIL" : "FAIL (no data)",
                ])
            }
            output += table.render(width: width) + "\n"
            for check in claims {
                guard let (file, trace, sample, step) = check.firstOffendingStep else { continue }
                output += "\(check.claim.method) peak claim \(number(check.claim.value)) broken first in \(file): trace \(trace)"
                    + (sample.map { " (sample \"\($0)\")" } ?? "")
                    + " at step \(step.step) (record \(step.record), \(step.phase), ids \(step.first)..<\(step.first + step.queries)): stream \(step.stream) attends to \(step.visibleBefore) visible + \(step.queries) new = \(step.attended) tokens"
                    + (step.previousAttended.map { "; the step before attended to \($0)" } ?? "") + "\n"
            }
        }
        let failedTraces = audits.filter(\.failed).count
        let failedClaims = claims.filter { $0.verdict != .pass }.count
        let incomplete = audits.filter { $0.findings.contains { $0.kind == .incomplete } }.count
        output += failedTraces + failedClaims == 0 ? "PASSED" : "FAILED"
        output += ": \(audits.count) trace\(audits.count == 1 ? "" : "s") (\(failedTraces) failing, \(incomplete) incomplete)"
        if !claims.isEmpty { output += ", \(claims.count) claim\(claims.count == 1 ? "" : "s") (\(failedClaims) failing)" }
        return output + "\n"
    }

    private static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        return abs(value) >= 100 || value == value.rounded() ? MetricFormatting.fixed(value, decimals: 0) : MetricFormatting.fixed(value, decimals: 2)
    }
}
