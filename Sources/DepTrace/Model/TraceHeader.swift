/// The header record that starts a trace: its format version and metadata.
public struct TraceHeader: Sendable, Hashable {
    /// The format version this library reads and writes.
    public static let currentVersion = 1

    /// The format version (`"deptrace"` key).
    public var version: Int
    public var method: String?
    public var model: String?
    public var dataset: String?
    /// The sample id that pairs traces across runs; numbers are kept as their text.
    public var sample: String?
    /// Model layers recorded (streams are `layers × heads`).
    public var layers: Int
    /// Heads per layer recorded.
    public var heads: Int
    /// The method's declared cache budget in tokens, when it has one.
    public var budget: Int?
    /// Bytes of K and V one token takes in the KV cache across all layers.
    public var kvBytesPerToken: Int?
    /// Every key of the header JSON object, known or not, in file order.
    ///
    /// Writers emit exactly these members, so unknown keys survive conversion.
    public var fields: [(key: String, value: JSONValue)]

    /// Creates a header; `fields` is filled from the arguments when not given.
    public init(
        version: Int = TraceHeader.currentVersion, method: String? = nil, model: String? = nil,
        dataset: String? = nil, sample: String? = nil, layers: Int = 1, heads: Int = 1,
        budget: Int? = nil, kvBytesPerToken: Int? = nil, meta: [(key: String, value: JSONValue)] = []
    ) {
        self.version = version
        self.method = method
        self.model = model
        self.dataset = dataset
        self.sample = sample
        self.layers = layers
        self.heads = heads
        self.budget = budget
        self.kvBytesPerToken = kvBytesPerToken
        var fields: [(key: String, value: JSONValue)] = [("deptrace", .integer(version))]
        if let method { fields.append(("method", .string(method))) }
        if let model { fields.append(("model", .string(model))) }
        if let dataset { fields.append(("dataset", .string(dataset))) }
        if let sample { fields.append(("sample", .string(sample))) }
        if layers != 1 || heads != 1 {
            fields.append(("layers", .integer(layers)))
            fields.append(("heads", .integer(heads)))
        }
        if let budget { fields.append(("budget", .integer(budget))) }
        if let kvBytesPerToken { fields.append(("kv_bytes_per_token", .integer(kvBytesPerToken))) }
        if !meta.isEmpty { fields.append(("meta", .object(meta))) }
        self.fields = fields
    }

    /// Reads a header from its JSON object.
    ///
    /// - Throws: a ``RuleViolation`` when a known key has the wrong type or value.
    ///   An unknown version is not an error here: ``isSupported`` tells.
    public init(object: [(key: String, value: JSONValue)]) throws(RuleViolation) {
        let value = JSONValue.object(object)
        guard let version = value["deptrace"]?.intValue else { throw .badHeaderField("deptrace", "an integer version") }
        if let key = TraceHeader.firstRepeatedKey(object) {
            throw .malformedRecord("duplicate key '\(key)' in the header")
        }
        // Another version may give the known keys other meanings: keep them as they
        // are, unread, so an unsupported trace is reported as such and nothing else.
        let known = version == TraceHeader.currentVersion
        func text(_ key: String) throws(RuleViolation) -> String? {
            switch value[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case .number(let text)?: return text
            default: throw .badHeaderField(key, "a string")
            }
        }
        func count(_ key: String, minimum: Int) throws(RuleViolation) -> Int? {
            switch value[key] {
            case nil, .null?: return nil
            case let field?:
                guard let number = field.intValue, number >= minimum else {
                    throw .badHeaderField(key, minimum > 0 ? "a positive integer" : "a non-negative integer")
                }
                return number
            }
        }
        self.version = version
        method = known ? try text("method") : nil
        model = known ? try text("model") : nil
        dataset = known ? try text("dataset") : nil
        sample = known ? try text("sample") : (try? text("sample")) ?? nil
        layers = known ? try count("layers", minimum: 1) ?? 1 : 1
        heads = known ? try count("heads", minimum: 1) ?? 1 : 1
        budget = known ? try count("budget", minimum: 0) : nil
        kvBytesPerToken = known ? try count("kv_bytes_per_token", minimum: 0) : nil
        fields = object
    }

    /// The first key that repeats an earlier one, or nil.
    ///
    /// Compared pair by pair for the dozen keys of a usual header: hashing
    /// them into a set cost 2.5% of reading 1,319 short traces.
    static func firstRepeatedKey(_ members: [(key: String, value: JSONValue)]) -> String? {
        if members.count <= 16 {
            for later in members.indices {
                for earlier in 0..<later where members[earlier].key == members[later].key { return members[later].key }
            }
            return nil
        }
        var seen = Set<String>()
        for member in members where !seen.insert(member.key).inserted { return member.key }
        return nil
    }

    /// Whether this reader knows the header's version.
    public var isSupported: Bool { version == TraceHeader.currentVersion }

    /// `layers × heads`, or nil when the product overflows.
    public var streamCount: Int? {
        let (product, overflow) = layers.multipliedReportingOverflow(by: heads)
        return overflow ? nil : product
    }

    /// The value of a header key, known or not.
    public subscript(key: String) -> JSONValue? { JSONValue.object(fields)[key] }

    /// A metadata value as text for grouping and pairing: strings as they are,
    /// other JSON values as their JSON text; nil when absent or null.
    public func text(forKey key: String) -> String? {
        switch key {
        case "method": return method
        case "model": return model
        case "dataset": return dataset
        case "sample": return sample
        default:
            switch self[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let other?: return JSONEncoding.text(of: other)
            }
        }
    }

    public static func == (lhs: TraceHeader, rhs: TraceHeader) -> Bool {
        JSONValue.object(lhs.fields) == JSONValue.object(rhs.fields)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(JSONValue.object(fields)) }
}
