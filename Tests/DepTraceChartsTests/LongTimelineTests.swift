import DepTrace
import DepTraceCharts
import DepTraceXML
import Foundation
import Testing
import _DepTraceTestSupport

/// A timeline of more than 1,000,000 steps: a small file and the exact peak.
@Suite struct LongTimelineTests {
    @Test func millionStepTimelineIsSmallAndItsPeakExact() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-long-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("long.dtrace")
        let simulated = try runDepTrace([
            "simulate", "lightthinker-thought", "--prompt", "150", "--output", "999849", "--thought-mean", "300", "--seed", "3", "-o", trace.path,
        ])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let drawn = try drawChart(["timeline", trace.path], in: folder)
        #expect(drawn.svg.count < 300_000, "\(drawn.svg.count) bytes")
        var outcomes: [TraceOutcome] = []
        var observer = CallbackObserver(onTrace: { outcomes.append($0) }, onDiagnostic: { _ in })
        _ = InputAnalyzer.analyze(TraceInput(location: .file(trace.path)), options: AnalysisOptions(), observer: &observer)
        let metrics = try #require(outcomes.first?.metrics)
        #expect(metrics.steps >= 1_000_000)
        let root = try XMLDocumentParser.parse(drawn.svg)
        // The legend names the peak; one stream: it is the peak metric of stats.
        #expect(legendLabels(root).filter { $0.contains(": peak ") }.map { $0.components(separatedBy: ": ").last ?? "" } == ["peak \(metrics.peak)"])
        #expect(drawn.csv.contains(",peak,"))
    }

    @Test func downsamplerKeepsEveryColumnsExtremes() {
        var random = SeededRandom(seed: 9)
        var values: [Int] = []
        var sampler = MinMaxDownsampler(capacity: 64)
        for _ in 0..<100_003 {
            let value = Int(random.next() % 1000)
            values.append(value)
            sampler.add(value)
        }
        #expect(sampler.buckets.count <= 64)
        #expect(sampler.peak?.value == values.max())
        #expect(sampler.peak?.step == values.firstIndex(of: values.max()!))
        // Each bucket's extremes are those of the steps it covers.
        for (index, bucket) in sampler.buckets.enumerated() {
            let slice = values[(index * sampler.width)..<min(values.count, (index + 1) * sampler.width)]
            #expect(bucket.minimum == slice.min() && bucket.maximum == slice.max())
        }
        let steps = sampler.points.map(\.step)
        #expect(steps == steps.sorted())
    }
}
