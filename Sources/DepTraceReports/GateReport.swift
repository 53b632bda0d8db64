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

    /// A Markdown summary: the verdict, a table per group, failures first.
    public static func markdown(_ checks: [Gate.Check]) -> String {
        let failed = checks.filter { !$0.passed }.count
        var output = "## deptrace check: \(failed == 0 ? "✅ passed" : "❌ failed")\n\n"
        output += failed == 0 ? "All \(checks.count) checks passed.\n" : "\(failed) of \(checks.count) checks failed.\n"
        var order: [String] = []
        for check in checks where !order.contains(check.suite) { order.append(check.suite) }
        for suite in order {
            let cases = checks.filter { $0.suite == suite }
            output += "\n### \(TextEscaping.markdown(suite))\n\n| verdict | check | details |\n| --- | --- | --- |\n"
            for check in cases.filter({ !$0.passed }) + cases.filter(\.passed) {
                output += "| \(check.passed ? "pass" : "**fail**") | \(TextEscaping.markdown(check.name)) | \(TextEscaping.markdown(check.message)) |\n"
            }
        }
        return output
    }
}
