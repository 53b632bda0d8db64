import DepTrace
import Foundation
import Testing
import _DepTraceTestSupport

/// The engine agrees with an independent implementation of the spec
/// (Tests/Reference/deptrace_reference.py: plain Python, one set per stream)
/// on random traces, valid and broken, including where each error is.
@Suite(.enabled(if: PythonInterpreter.path != nil, "python3 is not installed"))
struct ReferenceImplementationTests {
    static var python: String? { PythonInterpreter.path }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Reference/deptrace_reference.py").path

    /// A random valid trace, or one broken by a record a reader must refuse.
    static func trace(_ generator: inout RandomTraceGenerator, index: Int) -> String {
        let trace = generator.trace(sample: "r\(index)", maxSteps: 60)
        guard generator.random.chance(0.25), !trace.records.isEmpty else { return trace.jsonl }
        var records = trace.records.map { JSONLRecordEncoder.line(for: $0) }
        let position = Int.random(in: 0...records.count, using: &generator.random)
        let broken = [
            #"{"evict":[[9000000,9000001]]}"#, #"{"step":"decode","q":[0,1]}"#, #"{"hide":[[5,4]]}"#,
            #"{"show":[[0,1]],"s":99}"#, #"{"add":[[123456789,123456790]]}"#, #"{"step":"decode","q":[1.5,1]}"#,
            #"{"evict":[[0,1]],"hide":[[0,1]]}"#, #"{"snap":[[0,1]]}"#, #"{"step":"thinking","q":[99999999,1]}"#,
        ].randomElement(using: &generator.random) ?? ""
        records.insert(broken + "\n", at: position)
        return JSONLRecordEncoder.line(for: trace.header) + records.joined()
    }

    @Test(arguments: 0..<4)
    func agreesWithReference(batch: Int) throws {
        let python = try #require(Self.python)
        var generator = RandomTraceGenerator(seed: UInt64(90_000 + batch))
        let text = (0..<150).map { Self.trace(&generator, index: $0) }.joined()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-reference-\(batch)-\(getpid()).dtrace.jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.script, path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        let reference = try #require(try JSONSerialization.jsonObject(with: stdout) as? [[String: Any]])
        let result = analyzeJSONL(text, name: path)
        let analysed = result.outcomes.filter(\.isAnalysed)
        #expect(analysed.count == reference.count)
        for (outcome, expected) in zip(analysed, reference) {
            #expect(outcome.index == expected["trace"] as? Int)
            for name in MetricCatalog.names {
                let actual = outcome.metrics?.value(named: name)
                let wanted = expected[name]
                let agree: Bool
                switch (actual, wanted) {
                case (.null?, is NSNull): agree = true
                case let (.bool(a)?, b as Bool): agree = a == b
                case let (value?, number as NSNumber): agree = metricValuesAgree(value, .double(number.doubleValue))
                default: agree = false
                }
                #expect(agree, "trace \(outcome.index) \(name): engine \(String(describing: actual)), reference \(String(describing: wanted))")
            }
        }
        // Both name the same lines and traces for every error.
        let referenceErrors = Set(stderr.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: ":", maxSplits: 3)
            guard parts.count >= 3, parts[1].allSatisfy(\.isNumber) else { return nil }
            return "\(parts[1]):\(parts[2].trimmingCharacters(in: .whitespaces))"
        })
        // The batch exercises both paths: many analysed traces and many refused ones.
        #expect(reference.count >= 80 && referenceErrors.count >= 15, "\(reference.count) analysed, \(referenceErrors.count) errors")
        let engineErrors = Set(result.errors.map { "\($0.line ?? 0):\($0.trace.map { "trace \($0)" } ?? "no trace")" })
        #expect(engineErrors == referenceErrors, "engine \(engineErrors.subtracting(referenceErrors)), reference \(referenceErrors.subtracting(engineErrors))")
    }
}

enum PythonInterpreter {
    /// The first python3 on the usual paths and on PATH.
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/local/bin", "/usr/bin", "/bin"]
        return directories.map { $0 + "/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}
