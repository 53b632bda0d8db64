import DepTrace
import Testing
import _DepTraceTestSupport

/// Every rule of FORMAT.md's "Rules a reader enforces", and the JSONL recovery
/// rules, each checked on a broken trace followed by a valid one: the error's
/// line, trace, record and message, the broken trace's status, and that the
/// valid trace after it is still read in full.
@Suite struct RuleTests {
    // MARK: - Reading from memory

    /// Collects what the reader reports.
    struct Collector: TraceObserver {
        var outcomes: [TraceOutcome] = []
        var diagnostics: [Diagnostic] = []

        mutating func traceFinished(_ outcome: TraceOutcome, analyzer: TraceAnalyzer?) { outcomes.append(outcome) }
        mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

        var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
        var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    }

    static let file = "rules.jsonl"

    static func read(_ text: String, options: AnalysisOptions = AnalysisOptions()) -> (Collector, InputAnalyzer.Summary) {
        var collector = Collector()
        // Seven bytes per read: lines arrive split across reads.
        let summary = InputAnalyzer.analyze(MemoryByteSource(text, pieceSize: 7), name: file, options: options, observer: &collector)
        return (collector, summary)
    }

    static func jsonl(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    static func dep(_ outcome: TraceOutcome?) -> MetricValue? { outcome?.metrics?.value(named: "dep") }

    // MARK: - The traces the cases are built from

    /// The header of the broken trace in most cases.
    static let badHeader = #"{"deptrace":1,"sample":"bad"}"#
    /// Ten prompt ids, 0 ..< 10, visible and resident everywhere.
    static let prefill10 = #"{"step":"prefill","q":[0,10]}"#
    /// A line the broken trace carries after its error: it breaks a rule too,
    /// yet must be skipped silently up to the next header.
    static let afterError = #"{"evict":[[900,901]]}"#

    /// The valid trace that follows every broken one: dep = (4 + 1) + (5 + 1) = 11.
    static let valid = [
        #"{"deptrace":1,"sample":"ok","method":"full"}"#,
        #"{"step":"prefill","q":[0,4]}"#,
        #"{"step":"decode","q":[4,1]}"#,
        #"{"step":"decode","q":[5,1]}"#,
        #"{"end":{"correct":true}}"#,
    ]
    static let validDep = MetricValue.int(11)

    /// Checks that `outcome` is the valid trace, read in full.
    static func expectValid(_ outcome: TraceOutcome?, index: Int, headerLine: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let outcome else {
            Issue.record("the valid trace was not reported", sourceLocation: sourceLocation)
            return
        }
        #expect(outcome.index == index, sourceLocation: sourceLocation)
        #expect(outcome.headerLine == headerLine, sourceLocation: sourceLocation)
        #expect(outcome.status == .complete, sourceLocation: sourceLocation)
        #expect(outcome.header?.sample == "ok", sourceLocation: sourceLocation)
        #expect(dep(outcome) == validDep, sourceLocation: sourceLocation)
        #expect(outcome.metrics?.value(named: "steps") == .int(3), sourceLocation: sourceLocation)
        #expect(outcome.metrics?.value(named: "correct") == .bool(true), sourceLocation: sourceLocation)
    }

    // MARK: - A broken trace, then a valid one

    /// A trace that breaks one rule, starting at line 1 of the file.
    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var lines: [String]
        /// The line of the one error.
        var line: Int
        /// The 0-based index of the offending record in its trace, the header excluded.
        var record: Int?
        /// A phrase the message must contain.
        var phrase: String
        var status: TraceOutcome.Status = .invalid
        var sample: String? = "bad"
        /// For damaged traces: the dep of the records before the damage.
        var dep: MetricValue? = nil

        var testDescription: String { name }
    }

    /// Reads `broken`, a line that must be skipped, then the valid trace.
    static func check(_ broken: Broken, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = broken.lines + [afterError] + valid
        let (result, summary) = read(jsonl(lines))

        #expect(result.errors.count == 1, "errors: \(result.errors)", sourceLocation: sourceLocation)
        #expect(result.warnings.isEmpty, "warnings: \(result.warnings)", sourceLocation: sourceLocation)
        #expect(summary.errors == 1, sourceLocation: sourceLocation)
        #expect(summary.traces == 2, sourceLocation: sourceLocation)
        if let error = result.errors.first {
            #expect(error.file == file, sourceLocation: sourceLocation)
            #expect(error.line == broken.line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.trace == 0, "\(error)", sourceLocation: sourceLocation)
            #expect(error.record == broken.record, "\(error)", sourceLocation: sourceLocation)
            #expect(error.sample == broken.sample, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(broken.phrase), "\(error)", sourceLocation: sourceLocation)
        }

        #expect(result.outcomes.count == 2, sourceLocation: sourceLocation)
        if let first = result.outcomes.first {
            #expect(first.index == 0, sourceLocation: sourceLocation)
            #expect(first.headerLine == 1, sourceLocation: sourceLocation)
            #expect(first.status == broken.status, sourceLocation: sourceLocation)
            if broken.status == .damaged {
                #expect(first.metrics != nil, sourceLocation: sourceLocation)
                #expect(first.metrics?.value(named: "complete") == .bool(false), sourceLocation: sourceLocation)
                if let dep = broken.dep { #expect(Self.dep(first) == dep, sourceLocation: sourceLocation) }
            } else {
                #expect(first.metrics == nil, sourceLocation: sourceLocation)
            }
        }
        expectValid(result.outcomes.count == 2 ? result.outcomes.last : nil, index: 1, headerLine: broken.lines.count + 2, sourceLocation: sourceLocation)
    }

    // MARK: - Ranges: half-open, non-empty, sorted, non-overlapping, in [0, 2^53)

    static let rangeCases: [Broken] = [
        Broken(name: "empty evict range", lines: [badHeader, prefill10, #"{"evict":[[3,3]]}"#],
               line: 3, record: 1, phrase: "empty range [3,3]: ranges are half-open [start, end) with start < end"),
        Broken(name: "reversed evict range", lines: [badHeader, prefill10, #"{"evict":[[5,2]]}"#],
               line: 3, record: 1, phrase: "empty range [5,2]"),
        Broken(name: "empty add range", lines: [badHeader, prefill10, #"{"evict":[[0,4]]}"#, #"{"add":[[1,2],[3,3]]}"#],
               line: 4, record: 2, phrase: "empty range [3,3]"),
        Broken(name: "empty hide range", lines: [badHeader, prefill10, #"{"hide":[[0,0]]}"#],
               line: 3, record: 1, phrase: "empty range [0,0]"),
        Broken(name: "empty show range", lines: [badHeader, prefill10, #"{"hide":[[0,4]]}"#, #"{"show":[[2,2]]}"#],
               line: 4, record: 2, phrase: "empty range [2,2]"),
        Broken(name: "empty snap range", lines: [badHeader, prefill10, #"{"snap":[[0,10],[10,10]]}"#],
               line: 3, record: 1, phrase: "empty range [10,10]"),
        Broken(name: "unsorted evict ranges", lines: [badHeader, prefill10, #"{"evict":[[5,6],[1,2]]}"#],
               line: 3, record: 1,
               phrase: "range [1,2] overlaps or precedes the one before it: ranges in a record must be sorted ascending and non-overlapping"),
        Broken(name: "overlapping evict ranges", lines: [badHeader, prefill10, #"{"evict":[[1,4],[3,6]]}"#],
               line: 3, record: 1, phrase: "range [3,6] overlaps or precedes the one before it"),
        Broken(name: "repeated hide range", lines: [badHeader, prefill10, #"{"hide":[[1,2],[1,2]]}"#],
               line: 3, record: 1, phrase: "range [1,2] overlaps or precedes the one before it"),
        Broken(name: "unsorted snap ranges", lines: [badHeader, prefill10, #"{"snap":[[5,10],[0,5]]}"#],
               line: 3, record: 1, phrase: "range [0,5] overlaps or precedes the one before it"),
        Broken(name: "unsorted snap resident ranges", lines: [badHeader, prefill10, #"{"snap":[[0,10]],"resident":[[5,10],[0,5]]}"#],
               line: 3, record: 1, phrase: "range [0,5] overlaps or precedes the one before it"),
        Broken(name: "negative range start", lines: [badHeader, prefill10, #"{"evict":[[-1,2]]}"#],
               line: 3, record: 1, phrase: "range [-1,2] leaves the id space [0, 2^53)"),
        Broken(name: "range end past 2^53", lines: [badHeader, prefill10, #"{"add":[[0,9007199254740993]]}"#],
               line: 3, record: 1, phrase: "range [0,9007199254740993] leaves the id space"),
    ]

    @Test("ranges are non-empty, sorted and non-overlapping", arguments: RuleTests.rangeCases)
    func ranges(_ broken: Broken) { Self.check(broken) }

    @Test func adjacentRangesAreAllowed() {
        let (result, _) = Self.read(Self.jsonl([
            Self.valid[0], Self.valid[1],
            #"{"evict":[[0,1],[1,2]]}"#,
            #"{"snap":[[2,4]],"resident":[[2,4]]}"#,
            #"{"step":"decode","q":[4,1]}"#,
            #"{"end":{}}"#,
        ]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.outcomes.first?.status == .complete)
        #expect(Self.dep(result.outcomes.first) == .int(3))
    }

    // MARK: - evict frees only resident ids

    static let evictCases: [Broken] = [
        Broken(name: "evict an evicted id", lines: [badHeader, prefill10, #"{"evict":[[2,4]]}"#, #"{"evict":[[3,5]]}"#],
               line: 4, record: 2, phrase: "evict may only free resident ids: id 3 is not resident in stream 0"),
        Broken(name: "evict a never-created id", lines: [badHeader, prefill10, #"{"evict":[[8,12]]}"#],
               line: 3, record: 1, phrase: "evict may only free resident ids: id 10 is not resident in stream 0"),
        Broken(name: "evict an id in a gap between steps",
               lines: [badHeader, #"{"step":"prefill","q":[0,4]}"#, #"{"step":"decode","q":[8,1]}"#, #"{"evict":[[5,6]]}"#],
               line: 4, record: 2, phrase: "evict may only free resident ids: id 5 is not resident in stream 0"),
        Broken(name: "evict on all streams an id one stream freed",
               lines: [#"{"deptrace":1,"sample":"bad","layers":1,"heads":2}"#, prefill10,
                       #"{"evict":[[2,3]],"s":1}"#, #"{"evict":[[2,3]]}"#],
               line: 4, record: 2, phrase: "evict may only free resident ids: id 2 is not resident in stream 1"),
    ]

    @Test("evict may only free resident ids", arguments: RuleTests.evictCases)
    func evict(_ broken: Broken) { Self.check(broken) }

    @Test func evictFreesVisibleAndHiddenResidentIds() {
        let (result, _) = Self.read(Self.jsonl([
            #"{"deptrace":1}"#,
            Self.prefill10,
            #"{"hide":[[2,4]]}"#,
            #"{"evict":[[2,4],[6,8]]}"#,
            #"{"snap":[[0,2],[4,6],[8,10]],"resident":[[0,2],[4,6],[8,10]]}"#,
            #"{"step":"decode","q":[10,1]}"#,
            #"{"end":{}}"#,
        ]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let outcome = result.outcomes.first
        #expect(outcome?.status == .complete)
        #expect(Self.dep(outcome) == .int(7))
        #expect(outcome?.metrics?.value(named: "evicted_tokens") == .int(4))
        #expect(outcome?.metrics?.value(named: "final_resident") == .int(7))
    }

    // MARK: - add brings back only earlier-created, non-resident ids

    static let addCases: [Broken] = [
        Broken(name: "add a never-created id", lines: [badHeader, prefill10, #"{"add":[[10,11]]}"#],
               line: 3, record: 1, phrase: "add may only bring back ids created earlier: id 10 was never created by a step"),
        Broken(name: "add an id in a gap between steps",
               lines: [badHeader, #"{"step":"prefill","q":[0,4]}"#, #"{"step":"decode","q":[8,2]}"#,
                       #"{"evict":[[2,4]]}"#, #"{"add":[[3,6]]}"#],
               line: 5, record: 3, phrase: "add may only bring back ids created earlier: id 4 was never created by a step"),
        Broken(name: "add a visible id", lines: [badHeader, prefill10, #"{"add":[[1,2]]}"#],
               line: 3, record: 1, phrase: "add may only bring back ids that are not resident: id 1 is resident in stream 0"),
        Broken(name: "add a hidden resident id", lines: [badHeader, prefill10, #"{"hide":[[1,3]]}"#, #"{"add":[[1,3]]}"#],
               line: 4, record: 2, phrase: "add may only bring back ids that are not resident: id 1 is resident in stream 0"),
        Broken(name: "add partly resident ids", lines: [badHeader, prefill10, #"{"evict":[[2,4]]}"#, #"{"add":[[2,5]]}"#],
               line: 4, record: 2, phrase: "add may only bring back ids that are not resident: id 4 is resident in stream 0"),
    ]

    @Test("add may only bring back earlier-created, non-resident ids", arguments: RuleTests.addCases)
    func add(_ broken: Broken) { Self.check(broken) }

    @Test func addBringsBackEvictedIds() {
        let (result, _) = Self.read(Self.jsonl([
            #"{"deptrace":1}"#,
            Self.prefill10,
            #"{"evict":[[2,4],[6,7]]}"#,
            #"{"add":[[2,4]]}"#,
            #"{"snap":[[0,6],[7,10]],"resident":[[0,6],[7,10]]}"#,
            #"{"step":"decode","q":[10,1]}"#,
            #"{"end":{}}"#,
        ]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.outcomes.first?.status == .complete)
        #expect(Self.dep(result.outcomes.first) == .int(10))
    }

    // MARK: - hide masks only visible ids; show unmasks only hidden resident ids

    static let hideShowCases: [Broken] = [
        Broken(name: "hide a hidden id", lines: [badHeader, prefill10, #"{"hide":[[2,4]]}"#, #"{"hide":[[3,5]]}"#],
               line: 4, record: 2, phrase: "hide may only mask visible ids: id 3 is not visible in stream 0"),
        Broken(name: "hide an evicted id", lines: [badHeader, prefill10, #"{"evict":[[2,4]]}"#, #"{"hide":[[2,3]]}"#],
               line: 4, record: 2, phrase: "hide may only mask visible ids: id 2 is not visible in stream 0"),
        Broken(name: "hide a never-created id", lines: [badHeader, prefill10, #"{"hide":[[9,12]]}"#],
               line: 3, record: 1, phrase: "hide may only mask visible ids: id 10 is not visible in stream 0"),
        Broken(name: "show a visible id", lines: [badHeader, prefill10, #"{"show":[[1,2]]}"#],
               line: 3, record: 1, phrase: "show may only unmask hidden resident ids: id 1 in stream 0 is visible or not resident"),
        Broken(name: "show partly visible ids", lines: [badHeader, prefill10, #"{"hide":[[1,2]]}"#, #"{"show":[[1,3]]}"#],
               line: 4, record: 2, phrase: "show may only unmask hidden resident ids: id 2 in stream 0"),
        Broken(name: "show an evicted id", lines: [badHeader, prefill10, #"{"evict":[[1,2]]}"#, #"{"show":[[1,2]]}"#],
               line: 4, record: 2, phrase: "show may only unmask hidden resident ids: id 1 in stream 0 is visible or not resident"),
        Broken(name: "show a hidden then evicted id",
               lines: [badHeader, prefill10, #"{"hide":[[1,3]]}"#, #"{"evict":[[1,2]]}"#, #"{"show":[[1,3]]}"#],
               line: 5, record: 3, phrase: "show may only unmask hidden resident ids: id 1 in stream 0"),
        Broken(name: "show a never-created id", lines: [badHeader, prefill10, #"{"show":[[20,21]]}"#],
               line: 3, record: 1, phrase: "show may only unmask hidden resident ids: id 20 in stream 0"),
    ]

    @Test("hide only visible ids, show only hidden resident ids", arguments: RuleTests.hideShowCases)
    func hideShow(_ broken: Broken) { Self.check(broken) }

    @Test func hideAndShowKeepTheResidentSet() {
        let (result, _) = Self.read(Self.jsonl([
            #"{"deptrace":1}"#,
            Self.prefill10,
            #"{"hide":[[2,6]]}"#,
            #"{"snap":[[0,2],[6,10]],"resident":[[0,10]]}"#,
            #"{"step":"decode","q":[10,1]}"#,
            #"{"show":[[2,4]]}"#,
            #"{"snap":[[0,4],[6,11]],"resident":[[0,11]]}"#,
            #"{"step":"decode","q":[11,1]}"#,
            #"{"end":{}}"#,
        ]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let outcome = result.outcomes.first
        #expect(outcome?.status == .complete)
        // (6 + 1) + (9 + 1)
        #expect(Self.dep(outcome) == .int(17))
        #expect(outcome?.metrics?.value(named: "hidden_tokens") == .int(4))
        #expect(outcome?.metrics?.value(named: "final_visible") == .int(10))
        #expect(outcome?.metrics?.value(named: "final_resident") == .int(12))
    }

    // MARK: - Step ids are new; n ≥ 1

    static let stepCases: [Broken] = [
        Broken(name: "step ids overlap earlier ids", lines: [badHeader, prefill10, #"{"step":"decode","q":[5,1]}"#],
               line: 3, record: 1,
               phrase: "step ids must be greater than every id created before: first id 5, but id 9 already exists"),
        Broken(name: "step id equals the last created id", lines: [badHeader, prefill10, #"{"step":"decode","q":[9,1]}"#],
               line: 3, record: 1, phrase: "step ids must be greater than every id created before: first id 9"),
        Broken(name: "step re-creates an evicted id",
               lines: [badHeader, prefill10, #"{"evict":[[8,10]]}"#, #"{"step":"decode","q":[9,1]}"#],
               line: 4, record: 2, phrase: "step ids must be greater than every id created before"),
        Broken(name: "step into a gap below the last id",
               lines: [badHeader, #"{"step":"prefill","q":[0,4]}"#, #"{"step":"decode","q":[8,1]}"#, #"{"step":"decode","q":[5,1]}"#],
               line: 4, record: 2, phrase: "step ids must be greater than every id created before: first id 5, but id 8 already exists"),
        Broken(name: "step with n = 0", lines: [badHeader, prefill10, #"{"step":"decode","q":[10,0]}"#],
               line: 3, record: 1, phrase: "step has n=0 queries: a step needs n ≥ 1"),
        Broken(name: "step with negative n", lines: [badHeader, prefill10, #"{"step":"decode","q":[10,-2]}"#],
               line: 3, record: 1, phrase: "step has n=-2 queries: a step needs n ≥ 1"),
        Broken(name: "first step with n = 0", lines: [badHeader, #"{"step":"prefill","q":[0,0]}"#],
               line: 2, record: 0, phrase: "a step needs n ≥ 1"),
        Broken(name: "negative step id", lines: [badHeader, #"{"step":"prefill","q":[-1,2]}"#],
               line: 2, record: 0, phrase: "leave the id space [0, 2^53)"),
        Broken(name: "step ids past 2^53", lines: [badHeader, prefill10, #"{"step":"decode","q":[9007199254740991,2]}"#],
               line: 3, record: 1, phrase: "step ids 9007199254740991 ..< 9007199254740991 + 2 leave the id space [0, 2^53)"),
    ]

    @Test("step ids are greater than every id created before, n ≥ 1", arguments: RuleTests.stepCases)
    func steps(_ broken: Broken) { Self.check(broken) }

    @Test func stepIdsMayHaveGapsUpToTheLastId() {
        let (result, _) = Self.read(Self.jsonl([
            #"{"deptrace":1}"#,
            #"{"step":"prefill","q":[0,4]}"#,
            #"{"step":"decode","q":[10,1]}"#,
            #"{"step":"decode","q":[9007199254740991,1]}"#,
            #"{"end":{}}"#,
        ]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.outcomes.first?.status == .complete)
        // (4 + 1) + (5 + 1)
        #expect(Self.dep(result.outcomes.first) == .int(11))
    }

    // MARK: - s < layers × heads

    static let fourStreams = #"{"deptrace":1,"sample":"bad","layers":2,"heads":2}"#

    static let streamCases: [Broken] = [
        Broken(name: "s = layers × heads", lines: [fourStreams, prefill10, #"{"evict":[[0,1]],"s":4}"#],
               line: 3, record: 1, phrase: "stream s=4 out of range: the header declares 4 streams (layers × heads)"),
        Broken(name: "negative s", lines: [fourStreams, prefill10, #"{"hide":[[0,1]],"s":-1}"#],
               line: 3, record: 1, phrase: "stream s=-1 out of range: the header declares 4 streams"),
        Broken(name: "s = 1 with the default single stream", lines: [badHeader, prefill10, #"{"evict":[[0,1]],"s":1}"#],
               line: 3, record: 1, phrase: "stream s=1 out of range: the header declares 1 stream (layers × heads)"),
        Broken(name: "s out of range on add", lines: [fourStreams, prefill10, #"{"evict":[[0,1]]}"#, #"{"add":[[0,1]],"s":7}"#],
               line: 4, record: 2, phrase: "stream s=7 out of range"),
        Broken(name: "s out of range on show", lines: [fourStreams, prefill10, #"{"hide":[[0,1]]}"#, #"{"show":[[0,1]],"s":4}"#],
               line: 4, record: 2, phrase: "stream s=4 out of range"),
        Broken(name: "s out of range on snap", lines: [fourStreams, prefill10, #"{"snap":[[0,10]],"s":4}"#],
               line: 3, record: 1, phrase: "stream s=4 out of range"),
    ]

    @Test("s < layers × heads", arguments: RuleTests.streamCases)
    func streams(_ broken: Broken) { Self.check(broken) }

    @Test func perStreamRecordsAreAveragedOverStreams() {
        let (result, _) = Self.read(Self.jsonl([
            #"{"deptrace":1,"layers":2,"heads":1}"#,
            Self.prefill10,
            #"{"evict":[[0,2]],"s":1}"#,
            #"{"snap":[[0,10]],"s":0}"#,
            #"{"snap":[[2,10]],"s":1}"#,
            #"{"step":"decode","q":[10,1]}"#,
            #"{"end":{}}"#,
        ]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let metrics = result.outcomes.first?.metrics
        #expect(result.outcomes.first?.status == .complete)
        // stream 0: 10 + 1, stream 1: 8 + 1
        #expect(metrics?.value(named: "dep") == .int(10))
        #expect(metrics?.value(named: "dep_min") == .int(9))
        #expect(metrics?.value(named: "dep_max") == .int(11))
    }

    // MARK: - snap equals the computed state

    static let snapCases: [Broken] = [
        Broken(name: "snap visible after evict", lines: [badHeader, prefill10, #"{"evict":[[2,4]]}"#, #"{"snap":[[0,10]]}"#],
               line: 4, record: 2, phrase: "snap does not match the visible set of stream 0: snap says [[0,10]], computed [[0,2],[4,10]]"),
        Broken(name: "snap visible too small", lines: [badHeader, prefill10, #"{"snap":[[0,9]]}"#],
               line: 3, record: 1, phrase: "snap does not match the visible set of stream 0"),
        Broken(name: "snap resident counts hidden ids",
               lines: [badHeader, prefill10, #"{"hide":[[2,4]]}"#, #"{"snap":[[0,2],[4,10]],"resident":[[0,2],[4,10]]}"#],
               line: 4, record: 2,
               phrase: "snap does not match the resident set of stream 0: snap says [[0,2],[4,10]], computed [[0,10]]"),
        Broken(name: "snap on all streams, one diverged",
               lines: [#"{"deptrace":1,"sample":"bad","layers":1,"heads":2}"#, prefill10, #"{"hide":[[0,5]],"s":1}"#, #"{"snap":[[0,10]]}"#],
               line: 4, record: 2, phrase: "snap does not match the visible set of stream 1"),
        Broken(name: "snap of one stream",
               lines: [#"{"deptrace":1,"sample":"bad","layers":1,"heads":2}"#, prefill10, #"{"evict":[[0,5]],"s":1}"#,
                       #"{"snap":[[0,10]],"s":1}"#],
               line: 4, record: 2, phrase: "snap does not match the visible set of stream 1"),
    ]

    @Test("snap must equal the computed state", arguments: RuleTests.snapCases)
    func snaps(_ broken: Broken) { Self.check(broken) }

    // MARK: - After end, only a new header

    static let afterEndCases: [Broken] = [
        Broken(name: "step after end", lines: [badHeader, prefill10, #"{"end":{}}"#, #"{"step":"decode","q":[10,1]}"#],
               line: 4, record: 2, phrase: "'step' record after 'end': only a new header may follow the end of a trace"),
        Broken(name: "mark after end", lines: [badHeader, prefill10, #"{"end":{}}"#, #"{"mark":"late"}"#],
               line: 4, record: 2, phrase: "'mark' record after 'end': only a new header may follow"),
        Broken(name: "second end", lines: [badHeader, prefill10, #"{"end":{}}"#, "", #"{"end":null}"#],
               line: 5, record: 2, phrase: "'end' record after 'end'"),
        Broken(name: "unknown record type after end", lines: [badHeader, prefill10, #"{"end":{}}"#, #"{"future":1}"#],
               line: 4, record: 2,
               phrase: "unknown record type (keys: future) after 'end': only a new header may follow the end of a trace"),
    ]

    @Test("after end only a new header may follow", arguments: RuleTests.afterEndCases)
    func afterEnd(_ broken: Broken) { Self.check(broken) }

    // MARK: - Exactly one type key; ids, counts and s are JSON integers

    static let shapeCases: [Broken] = [
        Broken(name: "step and evict keys", lines: [badHeader, prefill10, #"{"step":"decode","q":[10,1],"evict":[[0,1]]}"#],
               line: 3, record: 1, phrase: "a record has exactly one type key, found 'step' and 'evict'"),
        Broken(name: "hide and show keys", lines: [badHeader, prefill10, #"{"show":[[0,1]],"hide":[[0,1]]}"#],
               line: 3, record: 1, phrase: "a record has exactly one type key, found 'hide' and 'show'"),
        Broken(name: "mark and end keys", lines: [badHeader, prefill10, #"{"mark":"x","end":{}}"#],
               line: 3, record: 1, phrase: "a record has exactly one type key"),
        Broken(name: "a type key twice", lines: [badHeader, prefill10, #"{"evict":[[0,1]],"evict":[[1,2]]}"#],
               line: 3, record: 1, phrase: "duplicate key 'evict'"),
        Broken(name: "fractional count", lines: [badHeader, prefill10, #"{"step":"decode","q":[10,1.5]}"#],
               line: 3, record: 1, phrase: "'q' must be [first_id, n] with two JSON integers"),
        Broken(name: "count with exponent", lines: [badHeader, prefill10, #"{"step":"decode","q":[10,1e3]}"#],
               line: 3, record: 1, phrase: "'q' must be [first_id, n] with two JSON integers"),
        Broken(name: "first id as a string", lines: [badHeader, prefill10, #"{"step":"decode","q":["10",1]}"#],
               line: 3, record: 1, phrase: "'q' must be [first_id, n] with two JSON integers"),
        Broken(name: "count as a Boolean", lines: [badHeader, prefill10, #"{"step":"decode","q":[10,true]}"#],
               line: 3, record: 1, phrase: "'q' must be [first_id, n] with two JSON integers"),
        Broken(name: "s as a string", lines: [badHeader, prefill10, #"{"evict":[[0,1]],"s":"0"}"#],
               line: 3, record: 1, phrase: "'s' must be a JSON integer"),
        Broken(name: "fractional s", lines: [badHeader, prefill10, #"{"hide":[[0,1]],"s":0.0}"#],
               line: 3, record: 1, phrase: "'s' must be a JSON integer"),
        Broken(name: "s with exponent", lines: [badHeader, prefill10, #"{"hide":[[0,1]],"s":0e0}"#],
               line: 3, record: 1, phrase: "'s' must be a JSON integer"),
        Broken(name: "s as a Boolean", lines: [badHeader, prefill10, #"{"hide":[[0,1]],"s":true}"#],
               line: 3, record: 1, phrase: "'s' must be a JSON integer"),
        Broken(name: "fractional range start", lines: [badHeader, prefill10, #"{"evict":[[1.5,3]]}"#],
               line: 3, record: 1, phrase: "'evict' must be a list of [start, end] pairs of JSON integers"),
        Broken(name: "range end as a string", lines: [badHeader, prefill10, #"{"hide":[[1,"3"]]}"#],
               line: 3, record: 1, phrase: "'hide' must be a list of [start, end] pairs of JSON integers"),
        Broken(name: "range start as a Boolean", lines: [badHeader, prefill10, #"{"evict":[[true,3]]}"#],
               line: 3, record: 1, phrase: "'evict' must be a list of [start, end] pairs of JSON integers"),
        Broken(name: "range end with exponent", lines: [badHeader, prefill10, #"{"snap":[[0,1e1]]}"#],
               line: 3, record: 1, phrase: "'snap' must be a list of [start, end] pairs of JSON integers"),
        Broken(name: "resident range with exponent", lines: [badHeader, prefill10, #"{"snap":[[0,10]],"resident":[[0,1E1]]}"#],
               line: 3, record: 1, phrase: "'resident' must be a list of [start, end] pairs of JSON integers"),
        Broken(name: "id beyond 64 bits", lines: [badHeader, prefill10, #"{"evict":[[0,99999999999999999999]]}"#],
               line: 3, record: 1, phrase: "'evict' must be a list of [start, end] pairs of JSON integers"),
    ]

    @Test("a record has exactly one type key; ids, counts and s are JSON integers", arguments: RuleTests.shapeCases)
    func shapes(_ broken: Broken) { Self.check(broken) }

    // MARK: - Header: version, fields, stream count

    static let headerCases: [Broken] = [
        Broken(name: "unknown version 2", lines: [#"{"deptrace":2,"sample":"v2"}"#, prefill10, #"{"end":{}}"#],
               line: 1, record: nil, phrase: "format version 2 is not one this reader knows (1); trace skipped",
               status: .unsupported, sample: "v2"),
        Broken(name: "unknown version 0", lines: [#"{"deptrace":0}"#, #"{"future":"shape"}"#],
               line: 1, record: nil, phrase: "format version 0 is not one this reader knows", status: .unsupported, sample: nil),
        Broken(name: "a header key twice", lines: [#"{"deptrace":1,"method":"a","sample":"s","method":"b"}"#, prefill10],
               line: 1, record: nil, phrase: "duplicate key 'method' in the header", sample: nil),
        Broken(name: "a key twice in a header of many keys",
               lines: ["{\"deptrace\":1," + (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k3\":0,\"k1\":0}", prefill10],
               line: 1, record: nil, phrase: "duplicate key 'k3' in the header", sample: nil),
        Broken(name: "layers 0", lines: [#"{"deptrace":1,"layers":0}"#, prefill10, #"{"end":{}}"#],
               line: 1, record: nil, phrase: "header key 'layers' must be a positive integer", sample: nil),
        Broken(name: "negative heads", lines: [#"{"deptrace":1,"heads":-1}"#, prefill10],
               line: 1, record: nil, phrase: "header key 'heads' must be a positive integer", sample: nil),
        Broken(name: "fractional layers", lines: [#"{"deptrace":1,"layers":1.5}"#, prefill10],
               line: 1, record: nil, phrase: "header key 'layers' must be a positive integer", sample: nil),
        Broken(name: "layers as a string", lines: [#"{"deptrace":1,"layers":"2"}"#, prefill10],
               line: 1, record: nil, phrase: "header key 'layers' must be a positive integer", sample: nil),
        Broken(name: "negative budget", lines: [#"{"deptrace":1,"budget":-1}"#, prefill10],
               line: 1, record: nil, phrase: "header key 'budget' must be a non-negative integer", sample: nil),
        Broken(name: "version as a string", lines: [#"{"deptrace":"1"}"#, prefill10],
               line: 1, record: nil, phrase: "header key 'deptrace' must be an integer version", sample: nil),
        Broken(name: "sample as a Boolean", lines: [#"{"deptrace":1,"sample":true}"#, prefill10],
               line: 1, record: nil, phrase: "header key 'sample' must be a string", sample: nil),
        Broken(name: "layers × heads overflows 64 bits",
               lines: [#"{"deptrace":1,"sample":"bad","layers":4294967296,"heads":4294967296}"#, prefill10, #"{"end":{}}"#],
               line: 1, record: nil,
               phrase: "the header declares layers 4294967296 × heads 4294967296 streams, more than the limit of 1048576"),
        Broken(name: "layers × heads above the stream limit",
               lines: [#"{"deptrace":1,"sample":"bad","layers":2048,"heads":1024}"#, prefill10],
               line: 1, record: nil, phrase: "the header declares layers 2048 × heads 1024 streams, more than the limit"),
    ]

    @Test("header version and fields", arguments: RuleTests.headerCases)
    func headers(_ broken: Broken) { Self.check(broken) }

    /// A header of an unknown version is skipped as unsupported even when its
    /// other keys mean something else in that version.
    @Test func unknownVersionIsCheckedBeforeTheOtherHeaderKeys() {
        let lines = [#"{"deptrace":2,"sample":"v2","layers":"all"}"#, #"{"v2record":[1]}"#] + Self.valid
        let (result, _) = Self.read(Self.jsonl(lines))
        #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        #expect(result.errors.first?.line == 1)
        #expect(result.outcomes.count == 2)
        Self.expectValid(result.outcomes.last, index: 1, headerLine: 3)
        #expect(result.errors.first?.message.contains("format version 2 is not one this reader knows") == true,
                "\(String(describing: result.errors.first))")
        #expect(result.outcomes.first?.status == .unsupported)
    }

    // MARK: - Overflow of the metrics

    static let overflowCases: [Broken] = [
        // 2^52 queries: n(n+1)/2 is about 2^103.
        Broken(name: "n(n+1)/2 overflows",
               lines: [badHeader, #"{"step":"prefill","q":[0,4503599627370496]}"#, #"{"step":"decode","q":[4503599627370496,4503599627370496]}"#],
               line: 3, record: 1, phrase: "integer overflow computing"),
        // 2^31 queries over 2^52 visible ids: n·|V| is 2^83.
        Broken(name: "n·|V| overflows",
               lines: [badHeader, #"{"step":"prefill","q":[0,4503599627370496]}"#, #"{"step":"decode","q":[4503599627370496,2147483648]}"#],
               line: 3, record: 1, phrase: "integer overflow computing step Dep: the trace's numbers exceed 64-bit arithmetic"),
    ]

    @Test("overflow in the metrics makes the trace invalid", arguments: RuleTests.overflowCases)
    func overflow(_ broken: Broken) { Self.check(broken) }

    /// Every stream's Dep fits, but their sum over 2^20 streams does not: the
    /// error comes when the trace is finished and names its header line.
    @Test func overflowOfTheSumOverStreams() {
        let lines = [
            #"{"deptrace":1,"sample":"bad","layers":1024,"heads":1024}"#,
            #"{"step":"prefill","q":[0,1099511627776]}"#,
            #"{"step":"decode","q":[1099511627776,4194304]}"#,
            #"{"end":{}}"#,
        ] + Self.valid
        let (result, summary) = Self.read(Self.jsonl(lines))
        #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        let error = result.errors.first
        #expect(error?.line == 1)
        #expect(error?.trace == 0)
        #expect(error?.record == nil)
        #expect(error?.message.contains("integer overflow computing dep") == true, "\(String(describing: error))")
        #expect(summary.traces == 2)
        #expect(result.outcomes.map(\.status) == [.invalid, .complete])
        #expect(result.outcomes.first?.metrics == nil)
        Self.expectValid(result.outcomes.last, index: 1, headerLine: 5)
    }

    /// One stream of two evicts 2^52 ids and brings them back, again and
    /// again: its evicted tokens pass 2^63 at the 2,048th eviction. Such a
    /// record takes the engine's per-head eviction path, which must refuse
    /// it as the general path does.
    @Test func overflowOfOneStreamsEvictedTokens() {
        let ids = "[[0,4503599627370496]]"
        var lines = [#"{"deptrace":1,"sample":"bad","layers":1,"heads":2}"#, #"{"step":"prefill","q":[0,4503599627370496]}"#]
        for _ in 0..<2048 { lines += [#"{"evict":\#(ids),"s":0}"#, #"{"add":\#(ids),"s":0}"#] }
        let (result, _) = Self.read(Self.jsonl(lines + Self.valid))
        #expect(result.errors.count == 1, "\(result.diagnostics)")
        let error = result.errors.first
        #expect(error?.line == 4097)
        #expect(error?.record == 4095)
        #expect(error?.message.contains("integer overflow computing evicted_tokens") == true, "\(String(describing: error))")
        #expect(result.outcomes.map(\.status) == [.invalid, .complete])
        Self.expectValid(result.outcomes.last, index: 1, headerLine: lines.count + 1)
    }

    // MARK: - Damage: malformed JSON keeps the trace up to there

    static let damageCases: [Broken] = [
        Broken(name: "unclosed object", lines: [badHeader, #"{"step":"prefill","q":[0,4]}"#, #"{"step":"decode","q":[4,1]}"#,
                                              #"{"step":"decode","q":[5,1]"#, #"{"step":"decode","q":[6,1]}"#, #"{"end":{}}"#],
               line: 4, record: 2,
               phrase: "damaged line: invalid JSON: expected ',' or '}', found end of line at column 27; the trace is analysed up to its 2 records before this point",
               status: .damaged, dep: .int(5)),
        Broken(name: "not JSON", lines: [badHeader, #"{"step":"prefill","q":[0,4]}"#, #"{"step":"decode","q":[4,1]}"#, "#@!garbage"],
               line: 4, record: 2, phrase: "damaged line: invalid JSON: a line must hold one JSON object",
               status: .damaged, dep: .int(5)),
        Broken(name: "data after the object", lines: [badHeader, #"{"step":"prefill","q":[0,4]}"#, #"{"mark":"x"} {"mark":"y"}"#],
               line: 3, record: 1, phrase: "damaged line: invalid JSON: unexpected data after the JSON object",
               status: .damaged, dep: .int(0)),
        Broken(name: "two records glued, torn", lines: [badHeader, #"{"step":"prefill","q":[0,4]}"#, #"{"step":"decode","q":[4,1]}"#,
                                                      #"{"step":"deco{"step":"decode","q":[5,1]}"#, "%%%"],
               line: 4, record: 2, phrase: "damaged line: invalid JSON", status: .damaged, dep: .int(5)),
        Broken(name: "damaged header", lines: [#"{"deptrace":1,"sample":"bad""#, prefill10],
               line: 1, record: nil, phrase: "damaged line: invalid JSON", status: .damaged),
    ]

    @Test("malformed JSON mid-trace damages the trace, which keeps its metrics", arguments: RuleTests.damageCases)
    func damage(_ broken: Broken) {
        if broken.name == "damaged header" {
            // A header that is not JSON starts no trace: its records are orphans.
            let (result, summary) = Self.read(Self.jsonl(broken.lines + [Self.afterError] + Self.valid))
            #expect(result.errors.count == 1, "\(result.errors)")
            #expect(result.errors.first?.line == 1)
            #expect(result.errors.first?.trace == nil)
            #expect(result.errors.first?.message.contains("damaged line: invalid JSON") == true)
            #expect(summary.traces == 1)
            #expect(result.outcomes.count == 1)
            Self.expectValid(result.outcomes.first, index: 0, headerLine: broken.lines.count + 2)
            return
        }
        Self.check(broken)
    }

    @Test func truncatedLastLineKeepsTheTraceUpToIt() {
        let text = Self.jsonl(Self.valid) + Self.jsonl([
            #"{"deptrace":1,"sample":"cut"}"#,
            #"{"step":"prefill","q":[0,4]}"#,
            #"{"step":"decode","q":[4,1]}"#,
        ]) + #"{"step":"decode","q":[5"#
        let (result, summary) = Self.read(text)
        #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        let error = result.errors.first
        #expect(error?.line == 9)
        #expect(error?.trace == 1)
        #expect(error?.record == 2)
        #expect(error?.sample == "cut")
        #expect(error?.message.contains("truncated last line (no newline at the end of the input): invalid JSON") == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix(#"rules.jsonl:9: trace 1 (sample "cut"): record 2: truncated last line"#) == true)
        #expect(summary.traces == 2)
        #expect(result.outcomes.count == 2)
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 1)
        let cut = result.outcomes.last
        #expect(cut?.index == 1)
        #expect(cut?.headerLine == 6)
        #expect(cut?.status == .damaged)
        #expect(Self.dep(cut) == .int(5))
        #expect(cut?.metrics?.value(named: "steps") == .int(2))
    }

    @Test func lastLineWithoutNewlineIsRead() {
        let text = Self.valid.joined(separator: "\n")
        let (result, _) = Self.read(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 1)
    }

    // MARK: - Unknown record types are skipped with a warning

    @Test(arguments: [
        (#"{"future":{"x":1}}"#, "unknown record type (keys: future): skipped"),
        (#"{"future":1,"logit":2.5}"#, "unknown record type (keys: future, logit): skipped"),
        ("{}", "an object with no type key: skipped"),
    ])
    func unknownRecordType(line: String, phrase: String) {
        let lines = [Self.valid[0], Self.valid[1], Self.valid[2], line] + Self.valid[3...] + Self.valid
        let (result, summary) = Self.read(Self.jsonl(lines))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.warnings.count == 1)
        #expect(summary.warnings == 1)
        let warning = result.warnings.first
        #expect(warning?.line == 4)
        #expect(warning?.trace == 0)
        #expect(warning?.record == 2)
        #expect(warning?.message.contains(phrase) == true, "\(String(describing: warning))")
        #expect(result.outcomes.count == 2)
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 1)
        Self.expectValid(result.outcomes.last, index: 1, headerLine: 7)
    }

    @Test func unknownKeysOnKnownRecordsAreIgnored() {
        let (result, _) = Self.read(Self.jsonl([
            #"{"deptrace":1,"sample":"ok","layers_note":"x","meta":{"a":[1,2]}}"#,
            #"{"step":"prefill","q":[0,4],"logprobs":[-0.5,1e-3],"extra":null}"#,
            #"{"step":"decode","q":[4,1],"t":12,"tok":[791],"kind":"output","why":{"a":true}}"#,
            #"{"step":"decode","q":[5,1],"s":null}"#,
            #"{"end":{"correct":true,"anything":[1,{"b":2}]},"note":"x"}"#,
        ]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 1)
    }

    // MARK: - Records before any header

    @Test(arguments: [
        (#"{"step":"prefill","q":[0,4]}"#, "'step' record before any header; lines up to the next header are skipped"),
        (#"{"future":1}"#, "unknown record type (keys: future) before any header"),
        (#"{"evict":[[3,3]]}"#, "empty range [3,3]: ranges are half-open [start, end) with start < end (before any header)"),
        ("not json", "damaged line: invalid JSON: a line must hold one JSON object"),
    ])
    func recordBeforeAnyHeader(line: String, phrase: String) {
        let lines = [line, #"{"step":"decode","q":[4,1]}"#, Self.afterError, ""] + Self.valid
        let (result, summary) = Self.read(Self.jsonl(lines))
        #expect(result.diagnostics.count == 1, "\(result.diagnostics)")
        let error = result.errors.first
        #expect(error?.line == 1)
        #expect(error?.trace == nil)
        #expect(error?.record == nil)
        #expect(error?.message.contains(phrase) == true, "\(String(describing: error))")
        #expect(summary.traces == 1)
        #expect(result.outcomes.count == 1)
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 5)
    }

    @Test func onlyOrphanRecordsIsNoTrace() {
        let (result, summary) = Self.read(Self.jsonl([#"{"step":"prefill","q":[0,4]}"#, #"{"end":{}}"#]))
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.line == 1)
        #expect(result.warnings.map(\.message) == [#"no trace in this input (a trace starts with a header line holding "deptrace")"#])
        #expect(summary.traces == 0)
        #expect(result.outcomes.isEmpty)
    }

    // MARK: - Blank lines, several traces

    @Test func blankLinesAreIgnored() {
        let lines = ["", "   ", Self.valid[0], "\t", Self.valid[1], "", Self.valid[2], " \t ", Self.valid[3], Self.valid[4], "", ""]
            + Self.valid + [""]
        let (result, summary) = Self.read(Self.jsonl(lines))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(summary.traces == 2)
        #expect(result.outcomes.count == 2)
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 3)
        Self.expectValid(result.outcomes.last, index: 1, headerLine: 13)
    }

    @Test func crlfLineEndsAreRead() {
        let text = (Self.valid + [""] + Self.valid).joined(separator: "\r\n") + "\r\n"
        let (result, _) = Self.read(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.outcomes.count == 2)
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 1)
        Self.expectValid(result.outcomes.last, index: 1, headerLine: 7)
    }

    @Test func severalTracesPerFile() {
        let lines = [
            #"{"deptrace":1,"sample":"a"}"#,            // 1
            #"{"step":"prefill","q":[0,2]}"#,
            #"{"step":"decode","q":[2,3]}"#,            // 3·2 + 6 = 12
            #"{"end":{}}"#,
            #"{"deptrace":1,"sample":"b"}"#,            // 5: no end
            #"{"step":"prefill","q":[0,8]}"#,
            #"{"step":"decode","q":[8,1]}"#,            // 8 + 1 = 9
        ] + Self.valid                                   // 8
        let (result, summary) = Self.read(Self.jsonl(lines))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.warnings.count == 1)
        let warning = result.warnings.first
        #expect(warning?.line == 5)
        #expect(warning?.trace == 1)
        #expect(warning?.sample == "b")
        #expect(warning?.message == "incomplete trace: no 'end' record after 2 records")
        #expect(summary.traces == 3)
        #expect(result.outcomes.map(\.index) == [0, 1, 2])
        #expect(result.outcomes.map(\.status) == [.complete, .incomplete, .complete])
        #expect(result.outcomes.map(\.headerLine) == [1, 5, 8])
        #expect(result.outcomes.map { Self.dep($0) } == [.int(12), .int(9), .int(11)])
        Self.expectValid(result.outcomes.last, index: 2, headerLine: 8)
    }

    @Test func severalBrokenTracesInARow() {
        // Each broken trace is reported once; the good ones around them are read.
        let lines = Self.valid + [
            Self.badHeader, Self.prefill10, #"{"evict":[[3,3]]}"#, Self.afterError,       // 6..9
            #"{"deptrace":7}"#, Self.prefill10,                                           // 10..11
            Self.badHeader, Self.prefill10, #"{"step":"decode","q":[10,1]"#, Self.afterError, // 12..15
        ] + Self.valid                                                                    // 16
        let (result, summary) = Self.read(Self.jsonl(lines))
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.errors.map(\.line) == [8, 10, 14])
        #expect(result.errors.map(\.trace) == [1, 2, 3])
        #expect(summary.traces == 5)
        #expect(result.outcomes.map(\.status) == [.complete, .invalid, .unsupported, .damaged, .complete])
        Self.expectValid(result.outcomes.first, index: 0, headerLine: 1)
        Self.expectValid(result.outcomes.last, index: 4, headerLine: 16)
    }

    // MARK: - The diagnostic names file, line, trace, sample and record

    @Test func diagnosticDescription() {
        let lines = [Self.badHeader, Self.prefill10, #"{"evict":[[2,4]]}"#, #"{"evict":[[3,5]]}"#]
        let (result, _) = Self.read(Self.jsonl(lines))
        #expect(result.errors.map(\.description) == [
            #"rules.jsonl:4: trace 0 (sample "bad"): record 2: evict may only free resident ids: id 3 is not resident in stream 0"#,
        ])
    }
}
