import DepTrace

/// The metrics of METRICS.md computed the obvious way, one `Set<Int>` per
/// stream and per-id loops, as an oracle for the interval engine.
struct NaiveModel {
    var streams: Int
    var resident: [Set<Int>]
    var visible: [Set<Int>]
    var createdCount = 0
    var counted: Set<Phase>
    var dep: [Int]
    var peak: [Int]
    var residentPeak: [Int]
    var peakKV = 0
    var residentPeakKV = 0
    var fullDep = 0
    var kinds: [TokenKind: Int] = [:]
    var steps = 0
    var decodeSteps = 0
    var compressions = 0
    var evictEvents: [Int]
    var evicted: [Int]
    var hidden: [Int]
    var time: Int?
    var complete = false
    var correct: Bool?
    var kvBytes: Int?

    init(header: TraceHeader, counted: Set<Phase> = [.decode]) {
        streams = header.layers * header.heads
        resident = Array(repeating: [], count: streams)
        visible = Array(repeating: [], count: streams)
        dep = Array(repeating: 0, count: streams)
        peak = dep
        residentPeak = dep
        evictEvents = dep
        evicted = dep
        hidden = dep
        self.counted = counted
        kvBytes = header.kvBytesPerToken
    }

    private func targets(_ stream: Int?) -> [Int] { stream.map { [$0] } ?? Array(0..<streams) }
    private func ids(_ ranges: [Range<Int>]) -> [Int] { ranges.flatMap { Array($0) } }

    mutating func apply(_ record: Record) {
        switch record {
        case .step(let step):
            let n = step.count
            var attended = 0
            var held = 0
            for s in 0..<streams {
                if counted.contains(step.phase) { dep[s] += n * visible[s].count + n * (n + 1) / 2 }
                peak[s] = max(peak[s], visible[s].count + n)
                residentPeak[s] = max(residentPeak[s], resident[s].count + n)
                attended += visible[s].count + n
                held += resident[s].count + n
                for id in step.first..<(step.first + n) {
                    visible[s].insert(id)
                    resident[s].insert(id)
                }
            }
            peakKV = max(peakKV, attended)
            residentPeakKV = max(residentPeakKV, held)
            if counted.contains(step.phase) { fullDep += n * createdCount + n * (n + 1) / 2 }
            createdCount += n
            kinds[step.kind, default: 0] += n
            steps += 1
            if step.phase == .decode { decodeSteps += 1 }
            if step.phase == .compress { compressions += 1 }
            if let t = step.time { time = t }
        case let .evict(ranges, stream):
            for s in targets(stream) {
                for id in ids(ranges) {
                    resident[s].remove(id)
                    visible[s].remove(id)
                }
                evictEvents[s] += 1
                evicted[s] += ids(ranges).count
            }
        case let .add(ranges, stream):
            for s in targets(stream) {
                for id in ids(ranges) {
                    resident[s].insert(id)
                    visible[s].insert(id)
                }
            }
        case let .hide(ranges, stream):
            for s in targets(stream) {
                for id in ids(ranges) { visible[s].remove(id) }
                hidden[s] += ids(ranges).count
            }
        case let .show(ranges, stream):
            for s in targets(stream) {
                for id in ids(ranges) { visible[s].insert(id) }
            }
        case .mark, .snap: break
        case .end(let claims):
            complete = true
            correct = claims.correct
        }
    }

    /// Every metric, keyed by name, as the engine should report it.
    var metrics: [String: MetricValue] {
        func mean(_ values: [Int]) -> MetricValue { .quotient(values.reduce(0, +), streams) }
        let depSum = dep.reduce(0, +)
        return [
            "dep": mean(dep), "dep_min": .int(dep.min() ?? 0), "dep_max": .int(dep.max() ?? 0),
            "peak": .int(peak.max() ?? 0), "peak_kv": .int(peakKV),
            "resident_peak": .int(residentPeak.max() ?? 0), "resident_peak_kv": .int(residentPeakKV),
            "full_dep": .int(fullDep),
            "self_ratio": depSum == 0 ? .null : .double(Double(fullDep) / (Double(depSum) / Double(streams))),
            "prompt_tokens": .int(kinds[.prompt] ?? 0), "output_tokens": .int(kinds[.output] ?? 0),
            "gist_tokens": .int(kinds[.gist] ?? 0), "special_tokens": .int(kinds[.special] ?? 0),
            "steps": .int(steps), "decode_steps": .int(decodeSteps), "compressions": .int(compressions),
            "evict_events": mean(evictEvents), "evicted_tokens": mean(evicted), "hidden_tokens": mean(hidden),
            "final_visible": mean(visible.map(\.count)), "final_resident": mean(resident.map(\.count)),
            "time_ns": time.map(MetricValue.int) ?? .null,
            "kv_bytes_peak": kvBytes.map { .quotient(residentPeakKV * $0, streams) } ?? .null,
            "complete": .bool(complete), "correct": correct.map(MetricValue.bool) ?? .null, "streams": .int(streams),
        ]
    }
}

/// Whether two metric values agree: exactly, or to the last few bits for ratios.
func metricValuesAgree(_ a: MetricValue?, _ b: MetricValue?) -> Bool {
    if a == b { return true }
    guard let x = a?.doubleValue, let y = b?.doubleValue else { return false }
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y))
}
