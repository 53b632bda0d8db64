import DepTrace

/// The checks of `deptrace check` as terminal lines and as a Markdown summary
/// for a pull-request comment.
public enum GateReport {
    /// One line per failed check, then a count.
    public static func text(_ checks: [Gate.Check], verbose: Bool = false) -> String {
        var output = ""
        for check in checks where verbose || !check.passed {
            output += "\(check.passed ? "PASS" : "FAIL") \(check.name): \(check.message)\n"
        }
        let failed = checks.filter { !$0.passed }.count
        output += failed == 0 ? "PASSED: \(checks.count) check\(checks.count == 1 ? "" : "s")\n" : "FAILED: \(failed) of \(checks.count) checks\n"
        return output
    }

    /// A Markdown summary short enough for a pull-request comment: the
    /// verdict, a one-line count, and a table of the failed checks per group;
    /// `verbose` lists the passed checks too, after the failures.
    public static func markdown(_ checks: [Gate.Check], verbose: Bool = false) -> String {
        let failed = checks.filter { !$0.passed }.count
        var order: [String] = []
        for check in checks where !order.contains(check.suite) { order.append(check.suite) }
        let failingGroups = order.filter { suite in checks.contains { $0.suite == suite && !$0.passed } }.count
        var output = "## deptrace check: \(failed == 0 ? "✅ passed" : "❌ failed")\n\n"
        output += failed == 0
            ? "All \(checks.count) check\(checks.count == 1 ? "" : "s") passed in \(order.count) group\(order.count == 1 ? "" : "s").\n"
            : "\(failed) of \(checks.count) checks failed, in \(failingGroups) of \(order.count) group\(order.count == 1 ? "" : "s").\n"
        for suite in order {
            let cases = checks.filter { $0.suite == suite }
            let shown = cases.filter { !$0.passed } + (verbose ? cases.filter(\.passed) : [])
            guard !shown.isEmpty else { continue }
            output += "\n### \(TextEscaping.markdown(suite))\n\n| verdict | check | details |\n| --- | --- | --- |\n"
            for check in shown {
                output += "| \(check.passed ? "pass" : "**fail**") | \(TextEscaping.markdown(check.name)) | \(TextEscaping.markdown(check.message)) |\n"
            }
        }
        return output
    }
}
