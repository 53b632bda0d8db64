/// A count of bytes as people write it on a command line: `512`, `64K`,
/// `16M`, `64G`, `1T`, also `KiB`, `MB`... in any case; the units are binary.
public struct ByteSize: Sendable, Hashable, CustomStringConvertible {
    /// The count, at least 1.
    public let bytes: Int64

    /// Parses `text`; nil unless it is a positive count that fits 64 bits.
    public init?(_ text: String) {
        var digits = Substring(text)
        var shift: Int64 = 0
        let upper = text.uppercased()
        for (suffixes, bits) in ByteSize.units {
            if let suffix = suffixes.first(where: { upper.hasSuffix($0) }) {
                digits = digits.dropLast(suffix.count)
                shift = bits
                break
            }
        }
        guard let value = Int64(digits), value > 0 else { return nil }
        let (result, overflow) = value.multipliedReportingOverflow(by: Int64(1) << shift)
        if overflow { return nil }
        bytes = result
    }

    /// `bytes` (positive), written in the largest unit that divides it.
    public init(bytes: Int64) {
        self.bytes = Swift.max(bytes, 1)
    }

    /// The count in the largest unit that divides it: `256M`, `64G`, `1000`.
    public var description: String {
        for (suffixes, bits) in ByteSize.units where bytes % (Int64(1) << bits) == 0 {
            return "\(bytes >> bits)\(suffixes[suffixes.count - 1])"
        }
        return "\(bytes)"
    }

    /// Suffixes, longest first, and their powers of two; the last suffix is the one written.
    private static let units: [([String], Int64)] = [
        (["TIB", "TB", "T"], 40), (["GIB", "GB", "G"], 30), (["MIB", "MB", "M"], 20), (["KIB", "KB", "K"], 10),
    ]
}
