import ArgumentParser
import DepTrace
import DepTraceReports
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check what a method claims against what its traces show.",
        discussion: """
            Per trace: the budget (--budget, else the header's budget, else the end record's), \
            the first step that attends to more tokens than the budget (with its context), \
            claimed peak and dep in the end record, and incomplete traces. A budget bounds \
            what a step attends to, its own queries included: a cache that keeps S tokens \
            between steps and appends the new one reads S + 1, and the audit says so.

            --claims reads a paper's table as JSON (an array of objects) or CSV, with the \
            fields method, dataset, metric, value, tolerance; values may read 4.4M or 62.9%, \
            a tolerance 5% is relative, an empty dataset means the average over datasets, \
            accuracy is in percent. Each cell gets measured, claimed, difference and verdict, \
            measured over the complete traces (partial ones, without an end record or \
            damaged, are named and left out unless --include-incomplete). Exit 1 when a \
            trace or a claim fails.

            Examples:
              deptrace audit runs/h2o/ --budget 1024
              deptrace audit runs/ --claims table1.csv
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The most tokens a step may attend to (overrides the traces' own budget).", valueName: "n"))
    var budget: Int?

    @Option(help: ArgumentHelp("A claims file (JSON or CSV: method, dataset, metric, value, tolerance).", valueName: "file"))
    var claims: String?

    func validate() throws {
        if let budget, budget < 1 { throw ValidationError("'--budget' must be at least 1.") }
    }

    func run() throws {
        let output = TextOutput.standardOutput
        var claimList: [Claim] = []
        if let claims {
            guard let data = FileManager.default.contents(atPath: claims), let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("'--claims': cannot read \(claims).")
            }
            claimList = try ClaimsFile.parse(text)
        }
        let progress = ProgressReporter(enabled: input.noProgress ? false : nil)
        let log = DiagnosticLog(progress: progress)
        var auditor = BudgetAuditor()
        for source in input.inputs(reportingTo: log) {
            _ = source.analyze(options: input.analysisOptions, observer: &auditor)
        }
        for diagnostic in auditor.diagnostics { log.report(diagnostic) }
        let audits = auditor.traces.map { TraceAudit($0, budget: budget) }
        var measured = auditor.traces
        if !claimList.isEmpty, !input.includeIncomplete {
            var leftOut = PartialTraceTally()
            measured = auditor.traces.filter { trace in
                guard trace.outcome.isAnalysed, trace.outcome.status != .complete else { return true }
                leftOut.add(trace.outcome)
                return false
            }
            if let warning = leftOut.warning { log.report(warning) }
        }
        let checks = ClaimCheck.check(claimList, against: measured)
        output.write(AuditReport.text(audits, claims: checks, width: TableWidth.of(output)))
        output.flush()
        if log.hasErrors || audits.contains(where: \.failed) || checks.contains(where: { $0.verdict != .pass }) { throw ExitCode(1) }
    }
}
