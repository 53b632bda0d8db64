import DepTrace
import DepTraceCharts

/// The observers the commands put on a reader (`timeline`, `audit`, `chart
/// timeline`, `chart hist --per-event`, `chart mask`) run over the input:
/// they see every record before the engine has checked it. What they report
/// for trace 0 must agree with the engine's metrics.
public enum ObserverChecks {
    /// Every observer at once, so the input is read once.
    struct All: TraceObserver {
        static var observesRecords: Bool { true }
        var builder: TimelineBuilder
        var collector = TimelineCollector(traceIndex: 0, stream: nil, capacity: 64)
        // Every analysed trace, partial ones too: the checks below pair its first trace with trace 0.
        var eviction = EvictionCollector(includeIncomplete: true)
        var auditor = BudgetAuditor()
        var extent = TraceExtentCollector(traceIndex: 0)
        var outcome: TraceOutcome?

        mutating func traceStarted(_ analyzer: TraceAnalyzer, file: String, index: Int) {
            builder.traceStarted(analyzer, file: file, index: index)
            collector.traceStarted(analyzer, file: file, index: index)
            eviction.traceStarted(analyzer, file: file, index: index)
            auditor.traceStarted(analyzer, file: file, index: index)
            extent.traceStarted(analyzer, file: file, index: index)
        }

        mutating func willApply(_ record: Record, to analyzer: TraceAnalyzer) {
            builder.willApply(record, to: analyzer)
            collector.willApply(record, to: analyzer)
            eviction.willApply(record, to: analyzer)
            auditor.willApply(record, to: analyzer)
            extent.willApply(record, to: analyzer)
        }

        mutating func didApply(_ record: Record, to analyzer: TraceAnalyzer) {
            builder.didApply(record, to: analyzer)
            collector.didApply(record, to: analyzer)
            eviction.didApply(record, to: analyzer)
            auditor.didApply(record, to: analyzer)
            extent.didApply(record, to: analyzer)
        }

        mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) {
            if outcome.index == 0 { self.outcome = outcome }
            builder.traceFinished(outcome, analyzer: analyzer)
            collector.traceFinished(outcome, analyzer: analyzer)
            eviction.traceFinished(outcome, analyzer: analyzer)
            auditor.traceFinished(outcome, analyzer: analyzer)
            extent.traceFinished(outcome, analyzer: analyzer)
        }
    }

    /// A reference type the timeline's emit closure can append to.
    final class Rows {
        var rows: [TimelineRow] = []
    }

    public static func run(_ bytes: [UInt8], options: AnalysisOptions) {
        let rows = Rows()
        var all = All(builder: TimelineBuilder(traceIndex: 0, stream: nil) { rows.rows.append($0) })
        _ = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: 1 << 16), name: "fuzz", options: options, observer: &all)
        // READING.md: visible_after of one row is visible_before of the next.
        for (row, next) in zip(rows.rows, rows.rows.dropFirst()) {
            Invariant.check(row.visibleAfter == next.visibleBefore, "timeline: step \(row.step) ends with \(row.visibleAfter) visible, step \(next.step) starts with \(next.visibleBefore)")
        }
        guard let outcome = all.outcome, let metrics = outcome.metrics else { return }
        Invariant.check(rows.rows.count == metrics.steps, "timeline: \(rows.rows.count) rows for \(metrics.steps) steps")
        if let last = rows.rows.last {
            Invariant.check(last.dep == metrics.dep, "timeline: the last row's dep \(last.dep) is not the trace's \(metrics.dep)")
        }
        // The chart's timeline holds Σ_s |V_s| + n·S per step: its peak is peak_kv.
        let series = all.collector.series
        Invariant.check(series?.sampler.count == metrics.steps, "chart timeline: \(String(describing: series?.sampler.count)) points for \(metrics.steps) steps")
        Invariant.check((series?.sampler.peak?.value ?? 0) == metrics.peakKV, "chart timeline: peak \(String(describing: series?.sampler.peak)) but peak_kv \(metrics.peakKV)")
        // The audit's running maximum of max_s |V_s| + n ends at peak.
        let audited = all.auditor.traces.first { $0.outcome.index == 0 }
        Invariant.check((audited?.rises.last?.attended ?? 0) == metrics.peak, "audit: highest step \(String(describing: audited?.rises.last)) but peak \(metrics.peak)")
        // Eviction events: each frees something, and together they free evicted_tokens (means over streams).
        if let events = all.eviction.traces.first?.events {
            Invariant.check(events.allSatisfy { $0 > 0 }, "eviction events \(events) include one that frees nothing")
            let total = events.reduce(0, +), expected = Double(metrics.evictedTokensTotal) / Double(metrics.streams)
            Invariant.check(abs(total - expected) <= 1e-6 * Swift.max(1, abs(expected)), "eviction events sum to \(total), evicted_tokens is \(expected)")
        }
        // The mask's second pass, as `chart mask` runs it: only over a trace the first pass found analysable.
        if all.extent.found, all.extent.steps > 0 {
            var mask = MaskCollector(traceIndex: 0, stream: 0, rowsPerBin: (all.extent.steps + 299) / 300, idsPerBin: Swift.max(1, (all.extent.idEnd + 399) / 400), idEnd: all.extent.idEnd)
            _ = InputAnalyzer.analyze(MemoryByteSource(bytes, pieceSize: 1 << 16), name: "fuzz", options: options, observer: &mask)
            Invariant.check(mask.rows.count == (all.extent.steps + mask.rowsPerBin - 1) / mask.rowsPerBin, "mask: \(mask.rows.count) rows for \(all.extent.steps) steps")
        }
    }
}
