import DepTrace
import Testing
import _DepTraceTestSupport

/// A trace whose dep and peak both equal `dep` (≥ 2): a prefill of `dep − 1`
/// tokens and one decode step.
private func trace(method: String, sample: String, dep: Int, dataset: String = "gsm8k", correct: Bool? = nil) -> String {
    let prompt = dep - 1
    var text = "{\"deptrace\":1,\"method\":\"\(method)\",\"dataset\":\"\(dataset)\",\"sample\":\"\(sample)\",\"layers\":1,\"heads\":1}\n"
    text += "{\"step\":\"prefill\",\"q\":[0,\(prompt)]}\n{\"step\":\"decode\",\"q\":[\(prompt),1]}\n"
    text += correct.map { "{\"end\":{\"correct\":\($0)}}\n" } ?? "{\"end\":{}}\n"
    return text
}

@Suite("compare: pairing, ratios, seeded bootstrap")
struct CompareTests {
    /// Baseline dep 2k, method dep k for k in 2...21; the method lacks sample 1, the baseline sample 99.
    func runs() -> (baseline: [TraceOutcome], method: [TraceOutcome]) {
        var baseline = "", method = ""
        for k in 2...21 {
            baseline += trace(method: "vanilla", sample: String(k), dep: 2 * k, correct: true)
            method += trace(method: "h2o", sample: String(k), dep: k, correct: k % 2 == 0)
        }
        baseline += trace(method: "vanilla", sample: "1", dep: 40)
        method += trace(method: "h2o", sample: "99", dep: 10)
        return (analyzeJSONL(baseline).outcomes, analyzeJSONL(method).outcomes)
    }

    @Test("every trace has half the baseline's Dep: ratio 2, intervals contain 2")
    func knownRatio() throws {
        let (baseline, method) = runs()
        let comparison = try #require(RunComparison.compare(baseline: baseline, runs: method, options: ComparisonOptions(resamples: 2000, seed: 7)).first)
        #expect(comparison.method == "h2o" && comparison.baseline == "vanilla")
        #expect(comparison.paired == 20)
        for estimate in [comparison.ratio, comparison.geoRatio, comparison.peakRatio] {
            let value = try #require(estimate.value), low = try #require(estimate.low), high = try #require(estimate.high)
            #expect(abs(value - 2) < 1e-12)
            #expect(low <= 2 + 1e-12 && high >= 2 - 1e-12)
        }
        #expect(comparison.accuracy == 0.5 && comparison.baselineAccuracy == 1)
        #expect(comparison.selfRatio == 1)
    }

    @Test("the baseline's own traces among the runs are not compared with it")
    func baselineAmongRuns() throws {
        let (baseline, method) = runs()
        let comparisons = RunComparison.compare(baseline: baseline, runs: baseline + method, options: ComparisonOptions(resamples: 10))
        #expect(comparisons.map(\.method) == ["h2o"])
    }

    @Test("nothing paired: the comparison names the keys whose values never meet")
    func nothingPaired() throws {
        let baseline = analyzeJSONL(trace(method: "vanilla", sample: "1", dep: 4, dataset: "gsm8k")).outcomes
        let method = analyzeJSONL(trace(method: "h2o", sample: "1", dep: 2, dataset: "math")).outcomes
        let comparison = try #require(RunComparison.compare(baseline: baseline, runs: method, options: ComparisonOptions(resamples: 10)).first)
        #expect(comparison.paired == 0)
        #expect(comparison.pairingKeys.filter(\.disagrees).map(\.key) == ["dataset"])
        #expect(comparison.pairingKeys.first { $0.key == "dataset" }?.method == ["math"])
        let bySample = try #require(RunComparison.compare(baseline: baseline, runs: method, options: ComparisonOptions(pairBy: ["sample"], resamples: 10)).first)
        #expect(bySample.paired == 1 && bySample.pairingKeys.isEmpty)
    }

    @Test("resident_peak and kv_bytes_peak ratios beside the peak ratio")
    func memoryHeldRatios() throws {
        // The method hides half of its prompt: it reads 5 tokens at most but holds 9.
        let base = "{\"deptrace\":1,\"method\":\"full\",\"sample\":\"1\",\"kv_bytes_per_token\":10}\n{\"step\":\"prefill\",\"q\":[0,8]}\n{\"step\":\"decode\",\"q\":[8,1]}\n{\"end\":{}}\n"
        let hide = "{\"deptrace\":1,\"method\":\"masked\",\"sample\":\"1\",\"kv_bytes_per_token\":10}\n{\"step\":\"prefill\",\"q\":[0,8]}\n{\"hide\":[[0,4]]}\n{\"step\":\"decode\",\"q\":[8,1]}\n{\"end\":{}}\n"
        let comparison = try #require(RunComparison.compare(baseline: analyzeJSONL(base).outcomes, runs: analyzeJSONL(hide).outcomes,
                                                            options: ComparisonOptions(resamples: 10)).first)
        #expect(comparison.peakRatio.value == 9.0 / 8.0 || (comparison.peakRatio.value ?? 0) > 1)
        #expect(comparison.residentPeakRatio.value == 1)
        #expect(comparison.kvBytesRatio.value == 1)
    }

    @Test("unpaired samples are listed by id on both sides")
    func unpaired() throws {
        let (baseline, method) = runs()
        let comparison = try #require(RunComparison.compare(baseline: baseline, runs: method, options: ComparisonOptions(resamples: 10)).first)
        #expect(comparison.unpairedMethod == ["99"])
        #expect(comparison.unpairedBaseline == ["1"])
        #expect(comparison.pairedSamples.first == "2")
    }

    @Test("the same seed gives the same intervals; another seed other ones")
    func seeded() throws {
        var baseline = "", method = ""
        for k in 2...30 {
            baseline += trace(method: "vanilla", sample: String(k), dep: 3 * k + k % 7)
            method += trace(method: "lt", sample: String(k), dep: k + 1)
        }
        let (base, runs) = (analyzeJSONL(baseline).outcomes, analyzeJSONL(method).outcomes)
        let first = RunComparison.compare(baseline: base, runs: runs, options: ComparisonOptions(resamples: 500, seed: 3))
        let again = RunComparison.compare(baseline: base, runs: runs, options: ComparisonOptions(resamples: 500, seed: 3))
        let other = RunComparison.compare(baseline: base, runs: runs, options: ComparisonOptions(resamples: 500, seed: 4))
        #expect(first == again)
        #expect(first[0].ratio.low != other[0].ratio.low)
        #expect(first[0].ratio.low! < first[0].ratio.value! && first[0].ratio.value! < first[0].ratio.high!)
    }

    @Test("pairing includes the dataset; --group-by splits rows")
    func datasets() throws {
        let baseline = analyzeJSONL(trace(method: "v", sample: "1", dep: 10, dataset: "a") + trace(method: "v", sample: "1", dep: 20, dataset: "b")).outcomes
        let method = analyzeJSONL(trace(method: "m", sample: "1", dep: 5, dataset: "a") + trace(method: "m", sample: "1", dep: 5, dataset: "b")).outcomes
        let pooled = RunComparison.compare(baseline: baseline, runs: method, options: ComparisonOptions(resamples: 10))
        #expect(pooled.count == 1 && pooled[0].pairedSamples == ["a/1", "b/1"] && pooled[0].ratio.value == 3)
        let grouped = RunComparison.compare(baseline: baseline, runs: method, options: ComparisonOptions(groupBy: ["dataset"], resamples: 10))
        #expect(grouped.map(\.group) == [["a"], ["b"]])
        #expect(grouped.map(\.ratio.value) == [2, 4])
    }

    @Test("the bootstrap of a mean is the chart's, draw for draw")
    func bootstrapMean() {
        var random = SeededRandom(seed: 5)
        let values = (0..<10).map { Double($0 * $0) }
        let interval = Bootstrap.meanInterval(values, resamples: 300, using: &random)
        var again = SeededRandom(seed: 5)
        #expect(Bootstrap.meanInterval(values, resamples: 300, using: &again) == interval)
        #expect(interval.low < 28.5 && interval.high > 28.5)
    }
}

@Suite("claims files and checks")
struct ClaimsTests {
    @Test("CSV and JSON read the same claims, with suffixes and relative tolerances")
    func parse() throws {
        let csv = try ClaimsFile.parse("method,dataset,metric,value,tolerance\nH2O,,peak,972,5\n\"Light, Thinker\",GSM8K,dep,1.0M,5%\nVanilla,all,acc,62.9%,\n")
        let json = try ClaimsFile.parse(#"[{"method":"H2O","dataset":"","metric":"peak","value":972,"tolerance":5},{"method":"Light, Thinker","dataset":"GSM8K","metric":"dep","value":"1.0M","tolerance":"5%"},{"method":"Vanilla","dataset":"all","metric":"acc","value":"62.9%"}]"#)
        #expect(csv == json)
        #expect(csv[0] == Claim(method: "H2O", dataset: nil, metric: "peak", value: 972, tolerance: 5))
        #expect(csv[1].value == 1_000_000 && csv[1].relative && csv[1].allowedDifference == 50_000)
        #expect(csv[2].metric == "accuracy" && csv[2].dataset == nil && csv[2].value == 62.9)
    }

    @Test("errors name the entry and field", arguments: [
        ("method,metric,value\nh2o,peek,3\n", "unknown metric 'peek'"),
        ("method,metric\nh2o,peak\n", "'value'"),
        ("[{\"method\":\"h2o\",\"metric\":\"peak\",\"value\":\"lots\"}]", "entry 1"),
    ])
    func errors(text: String, message: String) {
        #expect { try ClaimsFile.parse(text) } throws: { "\($0)".contains(message) }
    }

    @Test("an average claim is the mean of per-dataset means; tolerance decides")
    func check() {
        let outcomes = analyzeJSONL(trace(method: "m", sample: "1", dep: 10, dataset: "a", correct: true) + trace(method: "m", sample: "2", dep: 20, dataset: "a", correct: false)
            + trace(method: "m", sample: "1", dep: 40, dataset: "b", correct: true)).outcomes
        let checks = ClaimCheck.check([
            Claim(method: "m", dataset: nil, metric: "dep", value: 27.5),
            Claim(method: "m", dataset: "a", metric: "accuracy", value: 40, tolerance: 10),
            Claim(method: "m", dataset: "a", metric: "peak", value: 14, tolerance: 0.5),
            Claim(method: "other", dataset: nil, metric: "dep", value: 1),
        ], against: outcomes)
        #expect(checks.map(\.verdict) == [.pass, .pass, .fail, .noData])
        #expect(checks[2].difference == 1)
    }
}
