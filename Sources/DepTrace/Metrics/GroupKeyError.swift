/// Grouping or pairing keys that no trace's header has.
public struct GroupKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The keys asked for that no trace has.
    public var unknown: [String]
    /// The keys the traces have, in order of first appearance.
    public var available: [String]

    public init(unknown: [String], available: [String]) {
        self.unknown = unknown
        self.available = available
    }

    public var description: String {
        let noun = unknown.count == 1 ? "key" : "keys"
        return "no trace has the header \(noun) \(unknown.map { "'\($0)'" }.joined(separator: ", ")); "
            + "the traces have: \(available.joined(separator: ", "))"
    }
}
