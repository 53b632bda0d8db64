import DepTrace
import DepTraceJUnit
import DepTraceXML
import Testing

@Suite("JUnit XML of deptrace check")
struct JUnitReportTests {
    @Test("testsuites / testsuite / testcase / failure, parsed back; names escaped")
    func shape() throws {
        let checks = [
            Gate.Check(suite: "method=h2o", name: "a.dtrace.jsonl#0 sample=1: peak", passed: true, message: "peak 10 <= --max-peak 20"),
            Gate.Check(suite: "method=h2o", name: "a.dtrace.jsonl#1 sample=2: peak", passed: false, message: "peak 30 > --max-peak 20 & <more>"),
            Gate.Check(suite: "method=vanilla", name: "b#0: dep", passed: true, message: "ok"),
        ]
        let root = try XMLDocumentParser.parse(try JUnitReport.render(checks))
        #expect(root.name == "testsuites")
        #expect(root.attributes["tests"] == "3" && root.attributes["failures"] == "1")
        let suites = root.children.filter { $0.name == "testsuite" }
        #expect(suites.map { $0.attributes["name"] } == ["method=h2o", "method=vanilla"])
        #expect(suites[0].attributes["tests"] == "2" && suites[0].attributes["failures"] == "1")
        let cases = root.elements(named: "testcase")
        #expect(cases.count == 3)
        #expect(cases.allSatisfy { $0.attributes["name"] != nil && $0.attributes["classname"] != nil })
        let failures = root.elements(named: "failure")
        #expect(failures.count == 1)
        #expect(failures.first?.attributes["message"] == "peak 30 > --max-peak 20 & <more>")
        #expect(cases[1].children.contains { $0.name == "failure" })
    }
}
