#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One method run set against a baseline run: traces paired by sample (and
/// dataset), ratios of Dep, of memory read (`peak`) and of memory held
/// (`resident_peak`, `kv_bytes_peak`) with seeded bootstrap intervals, accuracies.
public struct RunComparison: Sendable, Hashable {
    /// A point estimate with its 95% percentile-bootstrap interval.
    public struct Estimate: Sendable, Hashable {
        public var value: Double?
        public var low: Double?
        public var high: Double?

        public init(value: Double?, low: Double? = nil, high: Double? = nil) {
            self.value = value
            self.low = low
            self.high = high
        }
    }

    /// The method's name (its header's `method`).
    public var method: String
    /// The baseline's name (its headers' `method` values, joined by `+`).
    public var baseline: String
    /// The values of the `groupBy` keys for this row.
    public var group: [String]
    /// Ids of the samples both runs hold, in the method run's order.
    public var pairedSamples: [String]
    /// Ids of the method's samples the baseline lacks.
    public var unpairedMethod: [String]
    /// Ids of the baseline's samples the method lacks.
    public var unpairedBaseline: [String]
    /// Ids seen more than once in one run: only the first trace of each is used.
    public var duplicateSamples: [String]
    /// `mean dep(baseline) / mean dep(method)` over the paired samples.
    public var ratio: Estimate
    /// The geometric mean of `dep(baseline) / dep(method)` per paired sample.
    public var geoRatio: Estimate
    /// `mean peak(baseline) / mean peak(method)` over the paired samples: memory read.
    public var peakRatio: Estimate
    /// `mean resident_peak(baseline) / mean resident_peak(method)`: memory held.
    public var residentPeakRatio: Estimate
    /// `mean kv_bytes_peak(baseline) / mean kv_bytes_peak(method)`, over the
    /// paired samples whose two headers both give bytes per token.
    public var kvBytesRatio: Estimate
    /// When no sample is paired although both sides hold traces: each pairing
    /// key with the values either side holds, the keys that disagree first.
    public var pairingKeys: [KeyValues]
    /// Share of correct traces among the paired method traces that say either.
    public var accuracy: Double?
    public var baselineAccuracy: Double?
    /// Mean `self_ratio` of the paired method traces.
    public var selfRatio: Double?
    /// Means over the paired samples, for tables.
    public var meanDep: Double?
    public var baselineMeanDep: Double?
    public var meanPeak: Double?
    public var baselineMeanPeak: Double?

    public var paired: Int { pairedSamples.count }

    /// The values one pairing key takes in the method's and the baseline's traces.
    public struct KeyValues: Sendable, Hashable {
        public var key: String
        /// Distinct values, in order of first appearance; `(none)` for a trace without the key.
        public var method: [String]
        public var baseline: [String]
        /// Whether no value is shared: pairing on this key alone would pair nothing.
        public var disagrees: Bool { Set(method).isDisjoint(with: baseline) }
    }
}

/// How runs are paired and resampled.
public struct ComparisonOptions: Sendable, Hashable {
    /// Header keys that identify a sample: traces pair when all of them agree.
    public var pairBy: [String] = ["sample", "dataset"]
    /// Header keys that split the comparison into rows (besides `method`).
    public var groupBy: [String] = []
    public var resamples = Bootstrap.defaultResamples
    public var seed: UInt64 = 0

    public init(pairBy: [String] = ["sample", "dataset"], groupBy: [String] = [], resamples: Int = Bootstrap.defaultResamples, seed: UInt64 = 0) {
        self.pairBy = pairBy
        self.groupBy = groupBy
        self.resamples = resamples
        self.seed = seed
    }
}

extension RunComparison {
    /// Compares every method in `runs` with `baseline`.
    ///
    /// Method traces are split by their header's `method` and the `groupBy`
    /// keys (rows in order of first appearance); each row's traces are paired
    /// with the baseline traces of the same group by the `pairBy` keys.
    /// Traces of `runs` that are also in `baseline` (the same file, index and
    /// header) are left out. Unanalysed traces are ignored (the caller reports them, and leaves
    /// partial traces out when it wants them out).
    /// - Returns: one comparison per method and group.
    /// - Complexity: O(rows × resamples × paired samples).
    public static func compare(baseline: [TraceOutcome], runs: [TraceOutcome], options: ComparisonOptions = ComparisonOptions()) -> [RunComparison] {
        let pairKeys = options.pairBy.isEmpty ? ["sample"] : options.pairBy
        func text(_ outcome: TraceOutcome, _ key: String) -> String? { outcome.header?.text(forKey: key) }
        let baselineName = unique(baseline.compactMap { $0.metrics == nil ? nil : text($0, "method") ?? "(none)" }).joined(separator: "+")

        var rowOrder: [[String]] = []
        var rows: [[String]: [TraceOutcome]] = [:]
        // The baseline's own traces are not a method run: a baseline folder inside the runs is left out.
        struct Place: Hashable { var file: String, index: Int, header: TraceHeader? }
        let baselinePlaces = Set(baseline.map { Place(file: $0.file, index: $0.index, header: $0.header) })
        for outcome in runs where outcome.metrics != nil && !baselinePlaces.contains(Place(file: outcome.file, index: outcome.index, header: outcome.header)) {
            let key = [text(outcome, "method") ?? "(none)"] + options.groupBy.map { text(outcome, $0) ?? "(none)" }
            if rows[key] == nil { rowOrder.append(key) }
            rows[key, default: []].append(outcome)
        }
        return rowOrder.map { key in
            let group = Array(key.dropFirst())
            let base = baseline.filter { outcome in
                outcome.metrics != nil && options.groupBy.indices.allSatisfy { (text(outcome, options.groupBy[$0]) ?? "(none)") == group[$0] }
            }
            let seed = SeededRandom.hash(options.seed, key.map(stableHash))
            return pair(method: key[0], baseline: baselineName, group: group, methodTraces: rows[key] ?? [], baselineTraces: base,
                        pairKeys: pairKeys, resamples: options.resamples, seed: seed)
        }
    }

    private static func pair(
        method: String, baseline: String, group: [String], methodTraces: [TraceOutcome], baselineTraces: [TraceOutcome],
        pairKeys: [String], resamples: Int, seed: UInt64
    ) -> RunComparison {
        let datasets = Set((methodTraces + baselineTraces).map { $0.header?.dataset })
        func identity(_ outcome: TraceOutcome) -> [String?] { pairKeys.map { outcome.header?.text(forKey: $0) } }
        // Ids show the dataset only when the traces span several datasets.
        func id(_ outcome: TraceOutcome) -> String {
            var parts = pairKeys.filter { $0 != "dataset" }.map { outcome.header?.text(forKey: $0) ?? "(none)" }
            if datasets.count > 1 { parts.insert(outcome.header?.dataset ?? "(none)", at: 0) }
            return parts.joined(separator: "/")
        }
        var duplicates: [String] = []
        var baseByKey: [[String?]: TraceMetrics] = [:]
        var baseOrder: [(key: [String?], id: String)] = []
        for outcome in baselineTraces {
            guard let metrics = outcome.metrics else { continue }
            let key = identity(outcome)
            if baseByKey[key] != nil { duplicates.append(id(outcome)); continue }
            baseByKey[key] = metrics
            baseOrder.append((key, id(outcome)))
        }
        var seen = Set<[String?]>()
        var pairs: [(method: TraceMetrics, base: TraceMetrics)] = []
        var pairedIds: [String] = [], unpairedMethod: [String] = []
        for outcome in methodTraces {
            guard let metrics = outcome.metrics else { continue }
            let key = identity(outcome)
            if !seen.insert(key).inserted { duplicates.append(id(outcome)); continue }
            if let base = baseByKey[key] {
                pairs.append((metrics, base))
                pairedIds.append(id(outcome))
            } else {
                unpairedMethod.append(id(outcome))
            }
        }
        let unpairedBaseline = baseOrder.filter { !seen.contains($0.key) }.map(\.id)

        let methodDep = pairs.map { $0.method.dep.doubleValue ?? .nan }
        let baseDep = pairs.map { $0.base.dep.doubleValue ?? .nan }
        let methodPeak = pairs.map { Double($0.method.peak) }
        let basePeak = pairs.map { Double($0.base.peak) }
        let methodResident = pairs.map { Double($0.method.residentPeak) }
        let baseResident = pairs.map { Double($0.base.residentPeak) }
        let bytePairs = pairs.compactMap { pair in
            pair.base.kvBytesPeak.doubleValue.flatMap { base in pair.method.kvBytesPeak.doubleValue.map { (base: base, method: $0) } }
        }
        let logRatios = zip(baseDep, methodDep).map { base, method in base > 0 && method > 0 ? log(base / method) : .nan }

        var random = SeededRandom(seed: seed, 1)
        let ratio = ratioOfMeans(baseDep, methodDep, resamples: resamples, random: &random)
        random = SeededRandom(seed: seed, 2)
        var geo = Estimate(value: nil)
        if !logRatios.isEmpty, logRatios.allSatisfy(\.isFinite) {
            geo.value = exp(Statistics.mean(logRatios) ?? .nan)
            let interval = Bootstrap.interval(count: logRatios.count, resamples: resamples, using: &random) { indices in
                var sum = 0.0
                for index in indices { sum += logRatios[index] }
                return exp(sum / Double(indices.count))
            }
            geo.low = interval?.low
            geo.high = interval?.high
        }
        random = SeededRandom(seed: seed, 3)
        let peakRatio = ratioOfMeans(basePeak, methodPeak, resamples: resamples, random: &random)
        random = SeededRandom(seed: seed, 4)
        let residentRatio = ratioOfMeans(baseResident, methodResident, resamples: resamples, random: &random)
        random = SeededRandom(seed: seed, 5)
        let bytesRatio = ratioOfMeans(bytePairs.map(\.base), bytePairs.map(\.method), resamples: resamples, random: &random)
        var keyValues: [KeyValues] = []
        if pairs.isEmpty, !methodTraces.isEmpty, !baselineTraces.isEmpty {
            keyValues = pairKeys.map { key in
                KeyValues(key: key, method: unique(methodTraces.map { $0.header?.text(forKey: key) ?? "(none)" }),
                          baseline: unique(baselineTraces.map { $0.header?.text(forKey: key) ?? "(none)" }))
            }
            keyValues = keyValues.filter(\.disagrees) + keyValues.filter { !$0.disagrees }
        }

        func accuracy(_ metrics: [TraceMetrics]) -> Double? {
            let judged = metrics.compactMap(\.correct)
            return judged.isEmpty ? nil : Double(judged.filter { $0 }.count) / Double(judged.count)
        }
        return RunComparison(
            method: method, baseline: baseline, group: group, pairedSamples: pairedIds,
            unpairedMethod: unpairedMethod, unpairedBaseline: unpairedBaseline, duplicateSamples: duplicates,
            ratio: ratio, geoRatio: geo, peakRatio: peakRatio, residentPeakRatio: residentRatio, kvBytesRatio: bytesRatio,
            pairingKeys: keyValues,
            accuracy: accuracy(pairs.map(\.method)), baselineAccuracy: accuracy(pairs.map(\.base)),
            selfRatio: Statistics.mean(pairs.compactMap { $0.method.selfRatio.doubleValue }.filter(\.isFinite)),
            meanDep: Statistics.mean(methodDep), baselineMeanDep: Statistics.mean(baseDep),
            meanPeak: Statistics.mean(methodPeak), baselineMeanPeak: Statistics.mean(basePeak))
    }

    /// `mean(numerators) / mean(denominators)` with its bootstrap interval over the pairs.
    static func ratioOfMeans(_ numerators: [Double], _ denominators: [Double], resamples: Int, random: inout SeededRandom) -> Estimate {
        guard let top = Statistics.mean(numerators), let bottom = Statistics.mean(denominators), bottom > 0 else { return Estimate(value: nil) }
        let interval = Bootstrap.interval(count: numerators.count, resamples: resamples, using: &random) { indices in
            var top = 0.0, bottom = 0.0
            for index in indices {
                top += numerators[index]
                bottom += denominators[index]
            }
            return bottom > 0 ? top / bottom : .nan
        }
        return Estimate(value: top / bottom, low: interval?.low, high: interval?.high)
    }

    /// Up to three values, quoted, and how many more: `"gsm8k", "math" and 4 more`.
    public static func sampleOf(_ values: [String]) -> String {
        let shown = values.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
        return values.count > 3 ? "\(shown) and \(values.count - 3) more" : shown
    }

    /// FNV-1a of the UTF-8 bytes: a hash that is the same in every process
    /// (Swift's `Hasher` is seeded per process).
    public static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return hash
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
