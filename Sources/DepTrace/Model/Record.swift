/// One record of a trace after its header, in either encoding.
public enum Record: Sendable, Hashable {
    /// A forward pass over new query tokens.
    case step(Step)
    /// Frees ids: removes them from the resident and visible sets.
    case evict([Range<Int>], stream: Int?)
    /// Brings earlier-created, non-resident ids back into memory and view.
    case add([Range<Int>], stream: Int?)
    /// Masks resident ids: removes them from the visible set only.
    case hide([Range<Int>], stream: Int?)
    /// Unmasks hidden resident ids.
    case show([Range<Int>], stream: Int?)
    /// A free text label at this point of the timeline.
    case mark(String)
    /// Asserts the visible set (and, when given, the resident set) now.
    case snap(visible: [Range<Int>], resident: [Range<Int>]?, stream: Int?)
    /// Closes the trace; its JSON object carries claims and outcome.
    case end(Claims)

    /// The record's type key in the JSONL encoding.
    public var typeName: String {
        switch self {
        case .step: "step"
        case .evict: "evict"
        case .add: "add"
        case .hide: "hide"
        case .show: "show"
        case .mark: "mark"
        case .snap: "snap"
        case .end: "end"
        }
    }
}

/// A `step` record: one forward pass over `count` new query tokens with ids
/// `first ..< first + count`.
public struct Step: Sendable, Hashable {
    public var phase: Phase
    /// The first query id.
    public var first: Int
    /// The number of queries, at least 1.
    public var count: Int
    /// The kind given in the record, or nil for the phase's default.
    public var explicitKind: TokenKind?
    /// The step's end time in nanoseconds since the trace started.
    public var time: Int?
    /// The vocabulary ids of the queries.
    public var tokens: [Int]?

    public init(phase: Phase, first: Int, count: Int, kind: TokenKind? = nil, time: Int? = nil, tokens: [Int]? = nil) {
        self.phase = phase
        self.first = first
        self.count = count
        self.explicitKind = kind
        self.time = time
        self.tokens = tokens
    }

    /// The kind of the step's tokens: the explicit one or the phase's default.
    public var kind: TokenKind { explicitKind ?? phase.defaultKind }

    /// The query ids; empty for a step that would fail validation.
    public var ids: Range<Int> { count > 0 && first <= Int.max &- count ? first..<(first &+ count) : first..<first }
}

/// The JSON object of an `end` record: claims (`peak`, `dep`, `budget`) and outcome (`correct`).
public struct Claims: Sendable, Hashable {
    /// Every member of the object, in file order.
    public var fields: [(key: String, value: JSONValue)]

    public init(fields: [(key: String, value: JSONValue)] = []) { self.fields = fields }

    /// Builds claims from the common keys; nil values are left out.
    public init(correct: Bool? = nil, peak: Int? = nil, dep: Int? = nil, budget: Int? = nil) {
        var fields: [(key: String, value: JSONValue)] = []
        if let correct { fields.append(("correct", .bool(correct))) }
        if let peak { fields.append(("peak", .integer(peak))) }
        if let dep { fields.append(("dep", .integer(dep))) }
        if let budget { fields.append(("budget", .integer(budget))) }
        self.fields = fields
    }

    public subscript(key: String) -> JSONValue? { JSONValue.object(fields)[key] }

    /// `correct` when it is a Boolean.
    public var correct: Bool? { self["correct"]?.boolValue }

    public static func == (lhs: Claims, rhs: Claims) -> Bool { JSONValue.object(lhs.fields) == JSONValue.object(rhs.fields) }
    public func hash(into hasher: inout Hasher) { hasher.combine(JSONValue.object(fields)) }
}
