/// The order groups are drawn in: the baseline first, then the others by
/// name or by value. The same groups always come in the same order,
/// whatever the order of the files read.
public struct GroupOrder: Sendable, Hashable {
    /// How the groups after the baseline are sorted.
    public enum Sort: String, Sendable, Hashable, CaseIterable {
        /// By name, numbers in names compared as numbers (`h2o-2` before `h2o-10`).
        case name
        /// By the value drawn, smallest first (ties by name).
        case value
    }

    /// The group drawn first, when present; nil for the first of ``defaultBaselines`` present.
    public var baseline: String?
    /// How the groups after the baseline are sorted.
    public var sort: Sort

    /// Methods that are a full-cache baseline by convention, in order of preference.
    public static let defaultBaselines = ["vanilla", "full", "baseline", "dense"]

    /// - Parameters:
    ///   - baseline: the group drawn first; nil for the first of ``defaultBaselines`` present.
    ///   - sort: the order of the others.
    public init(baseline: String? = nil, sort: Sort = .name) {
        self.baseline = baseline
        self.sort = sort
    }

    /// The baseline among `names`, if any.
    public func baseline(in names: [String]) -> String? {
        if let baseline { return names.contains(baseline) ? baseline : nil }
        return Self.defaultBaselines.first(where: names.contains)
    }

    /// `names` in drawing order.
    /// - Parameter value: the value of a name, for ``Sort/value``.
    public func ordered(_ names: [String], value: (String) -> Double = { _ in 0 }) -> [String] {
        let first = baseline(in: names)
        let rest = Array(Set(names)).filter { $0 != first }.sorted { a, b in
            if sort == .value {
                let (va, vb) = (value(a), value(b))
                if va != vb { return va < vb }
            }
            return Self.nameOrder(a, b)
        }
        return (first.map { [$0] } ?? []) + rest
    }

    /// Names compared with runs of digits as numbers, letters without regard to case, then byte by byte.
    static func nameOrder(_ a: String, _ b: String) -> Bool {
        let (x, y) = (chunks(a), chunks(b))
        for (left, right) in zip(x, y) where left != right {
            switch (left, right) {
            case (.number(let l, _), .number(let r, _)) where l != r: return l < r
            default:
                // Case only breaks ties: `anllm` sits between `AdaKV` and `DecodingPress`.
                let (l, r) = (left.text.lowercased(), right.text.lowercased())
                return l != r ? l < r : Array(left.text.utf8).lexicographicallyPrecedes(Array(right.text.utf8))
            }
        }
        return x.count != y.count ? x.count < y.count : Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }

    private enum Chunk: Equatable {
        case text(String)
        /// The value (saturated) and the digits.
        case number(Int, String)
        var text: String {
            switch self {
            case .text(let t): t
            case .number(_, let t): t
            }
        }
    }

    private static func chunks(_ s: String) -> [Chunk] {
        var result: [Chunk] = []
        var current = "", digits = false
        func flush() {
            guard !current.isEmpty else { return }
            if digits {
                var value = 0
                for d in current.unicodeScalars {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (n, o2) = m.addingReportingOverflow(Int(d.value) - 48)
                    value = o1 || o2 ? Int.max : n
                }
                result.append(.number(value, current))
            } else {
                result.append(.text(current))
            }
            current = ""
        }
        for scalar in s.unicodeScalars {
            let isDigit = ("0"..."9").contains(scalar)
            if isDigit != digits { flush(); digits = isDigit }
            current.unicodeScalars.append(scalar)
        }
        flush()
        return result
    }
}
