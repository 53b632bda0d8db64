/// The header keys that group or pair traces, checked against the keys the
/// traces have, so that a mistyped key is refused instead of putting every
/// trace into one group whose value is missing.
public enum GroupKeys {
    /// The header keys, with a non-null value, of at least one analysed trace
    /// in `outcomes`, in order of first appearance.
    /// - Complexity: O(traces × header keys).
    public static func available(in outcomes: [TraceOutcome]) -> [String] {
        var seen = Set<String>()
        var order: [String] = []
        for outcome in outcomes {
            guard let header = outcome.header else { continue }
            for field in header.fields where field.value != .null && seen.insert(field.key).inserted {
                order.append(field.key)
            }
        }
        return order
    }

    /// Checks that every key of `keys` is held by at least one trace of `outcomes`.
    ///
    /// Nothing is checked when `outcomes` holds no header: an empty run is
    /// reported as such by the caller.
    /// - Throws: ``GroupKeyError`` naming the keys no trace has and the keys the traces have.
    public static func check(_ keys: [String], in outcomes: [TraceOutcome]) throws(GroupKeyError) {
        try check(keys, available: available(in: outcomes))
    }

    /// Checks that every key of `keys` is among `have`, the header keys the
    /// traces hold (for example ``GroupAccumulator/availableKeys``); nothing is
    /// checked when `have` is empty.
    /// - Throws: ``GroupKeyError`` naming the keys no trace has and the keys the traces have.
    public static func check(_ keys: [String], available have: [String]) throws(GroupKeyError) {
        guard !have.isEmpty else { return }
        let known = Set(have)
        let unknown = keys.filter { !known.contains($0) }
        if !unknown.isEmpty { throw GroupKeyError(unknown: unknown, available: have) }
    }
}
