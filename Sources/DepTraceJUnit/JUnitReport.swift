import DepTrace
import DepTraceXML

/// Writes the checks of `deptrace check` as JUnit XML (testsuites / testsuite /
/// testcase / failure), the shape GitHub, GitLab and Jenkins display, through
/// libxml2's writer so names and messages are escaped.
public enum JUnitReport {
    /// The document's UTF-8 bytes.
    /// - Parameter name: the `testsuites` name.
    /// - Throws: ``XMLError`` with libxml2's message.
    public static func render(_ checks: [Gate.Check], name: String = "deptrace check") throws(XMLError) -> [UInt8] {
        var order: [String] = []
        var suites: [String: [Gate.Check]] = [:]
        for check in checks {
            if suites[check.suite] == nil { order.append(check.suite) }
            suites[check.suite, default: []].append(check)
        }
        let writer = try XMLWriter()
        let failures = checks.filter { !$0.passed }.count
        try writer.start("testsuites", attributes: [("name", name), ("tests", String(checks.count)), ("failures", String(failures)), ("errors", "0")])
        for suite in order {
            let cases = suites[suite] ?? []
            try writer.start("testsuite", attributes: [
                ("name", suite), ("tests", String(cases.count)), ("failures", String(cases.filter { !$0.passed }.count)),
                ("errors", "0"), ("skipped", "0"),
            ])
            for check in cases {
                try writer.start("testcase", attributes: [("name", check.name), ("classname", suite)])
                if check.passed {
                    try writer.element("system-out", text: check.message)
                } else {
                    try writer.element("failure", attributes: [("message", check.message), ("type", "deptrace.check")], text: check.message)
                }
                try writer.end()
            }
            try writer.end()
        }
        try writer.end()
        return try writer.finish()
    }
}
