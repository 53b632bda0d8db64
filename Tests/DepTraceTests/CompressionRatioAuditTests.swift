import DepTrace
import Testing
import _DepTraceTestSupport

/// `deptrace audit` holding a declared `compression_ratio` (kvpress's) against the cache after the prefill.
@Suite struct CompressionRatioAuditTests {
    /// Two streams, a prompt of 10 tokens; after the prefill each stream applies `action` to `ranges`; then two decode steps.
    func audit(_ action: String, _ ranges: String, declared: String, prefill: Bool = true) throws -> TraceAudit {
        var lines = [#"{"deptrace":1,"method":"press","layers":1,"heads":2}"#]
        lines.append(prefill ? #"{"step":"prefill","q":[0,10]}"# : #"{"step":"decode","q":[0,10]}"#)
        if !action.isEmpty {
            lines.append(#"{"\#(action)":\#(ranges),"s":0}"#)
            lines.append(#"{"\#(action)":\#(ranges),"s":1}"#)
        }
        lines += [#"{"step":"decode","q":[10,1]}"#, #"{"step":"decode","q":[11,1]}"#, #"{"end":{"compression_ratio":\#(declared)}}"#]
        var auditor = BudgetAuditor()
        _ = InputAnalyzer.analyze(MemoryByteSource(lines.joined(separator: "\n") + "\n"), name: "t.dtrace.jsonl", options: AnalysisOptions(), observer: &auditor)
        #expect(auditor.diagnostics.isEmpty, "\(auditor.diagnostics)")
        let record = try #require(auditor.traces.first)
        return TraceAudit(record)
    }

    @Test func freeingTheDeclaredShareHolds() throws {
        let audit = try audit("evict", "[[0,5]]", declared: "0.5")
        #expect(!audit.failed)
        #expect(audit.findings.isEmpty)
    }

    @Test func oneTokenOfRoundingIsAllowed() throws {
        // kvpress keeps int(P * (1 - r)) tokens; other roundings may keep one more.
        #expect(try !audit("evict", "[[0,4]]", declared: "0.5").failed)
        #expect(try audit("evict", "[[0,3]]", declared: "0.5").failed)
    }

    @Test func maskingInsteadOfFreeingFailsAndSaysSo() throws {
        let audit = try audit("hide", "[[0,5]]", declared: "0.5")
        #expect(audit.failed)
        let message = try #require(audit.findings.first { $0.kind == .claimMismatch }).message
        #expect(message.contains("holds 10 of the 10 prompt tokens"), "\(message)")
        #expect(message.contains("frees 0"))
        #expect(message.contains("attention reads 5"))
        #expect(message.contains("masked keys still take memory"))
    }

    @Test func freeingLessThanDeclaredFails() throws {
        let audit = try audit("evict", "[[0,2]]", declared: "0.5")
        #expect(audit.failed)
        let message = try #require(audit.findings.first).message
        #expect(message.contains("frees 0.200"), "\(message)")
        #expect(!message.contains("masked"))
    }

    @Test func freeingAndMaskingHoldsWithANote() throws {
        var lines = [#"{"deptrace":1,"method":"press","layers":1,"heads":1}"#, #"{"step":"prefill","q":[0,10]}"#]
        lines += [#"{"evict":[[0,5]],"s":0}"#, #"{"hide":[[5,7]],"s":0}"#, #"{"step":"decode","q":[10,1]}"#, #"{"end":{"compression_ratio":0.5}}"#]
        var auditor = BudgetAuditor()
        _ = InputAnalyzer.analyze(MemoryByteSource(lines.joined(separator: "\n") + "\n"), name: "t", options: AnalysisOptions(), observer: &auditor)
        let audit = TraceAudit(try #require(auditor.traces.first))
        #expect(!audit.failed)
        #expect(audit.findings.map(\.kind) == [.note])
        #expect(audit.findings.first?.message.contains("attention reads 3") == true)
    }

    @Test func ratiosOutsideZeroToOneAndTracesWithoutPrefillAreReported() throws {
        #expect(try audit("evict", "[[0,5]]", declared: "1.5").failed)
        #expect(try audit("evict", "[[0,5]]", declared: "-0.1").failed)
        let noPrefill = try audit("", "", declared: "0.5", prefill: false)
        #expect(!noPrefill.failed)
        #expect(noPrefill.findings.first?.message.contains("no prefill step") == true)
    }
}
