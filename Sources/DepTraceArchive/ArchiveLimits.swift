/// Limits on what reading one archive may decompress: a hostile archive (a
/// "zip bomb") stops at one of them with an error instead of exhausting memory
/// or time.
public struct ArchiveLimits: Sendable, Hashable {
    /// Uncompressed bytes read from one entry (and from a single compressed file).
    public var maxEntryBytes: Int64
    /// Uncompressed bytes read from one archive, all entries together.
    public var maxArchiveBytes: Int64
    /// Uncompressed bytes per compressed byte, checked once ``ratioFloor`` bytes are out.
    public var maxRatio: Double
    /// Uncompressed bytes below which the ratio is not checked: small inputs of
    /// repetitive JSON compress far better than whole runs do.
    public var ratioFloor: Int64

    public static let defaultMaxEntryBytes: Int64 = 64 << 30
    public static let defaultMaxArchiveBytes: Int64 = 64 << 30
    public static let defaultMaxRatio: Double = 1000
    public static let defaultRatioFloor: Int64 = 64 << 20

    public init(
        maxEntryBytes: Int64 = defaultMaxEntryBytes, maxArchiveBytes: Int64 = defaultMaxArchiveBytes,
        maxRatio: Double = defaultMaxRatio, ratioFloor: Int64 = defaultRatioFloor
    ) {
        self.maxEntryBytes = maxEntryBytes
        self.maxArchiveBytes = maxArchiveBytes
        self.maxRatio = maxRatio
        self.ratioFloor = ratioFloor
    }

    /// Parses a byte count with an optional binary suffix: `512`, `64K`, `16M`, `64G`, `1T` (also `KiB`, `MB`...).
    public static func parseByteCount(_ text: String) -> Int64? {
        var digits = Substring(text)
        var shift: Int64 = 0
        for (suffixes, bits) in [(["T", "TB", "TiB"], 40), (["G", "GB", "GiB"], 30), (["M", "MB", "MiB"], 20), (["K", "KB", "KiB"], 10)] as [([String], Int64)] {
            if let suffix = suffixes.sorted(by: { $0.count > $1.count }).first(where: { text.uppercased().hasSuffix($0.uppercased()) }) {
                digits = digits.dropLast(suffix.count)
                shift = bits
                break
            }
        }
        guard let value = Int64(digits), value > 0 else { return nil }
        let (result, overflow) = value.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? nil : result
    }
}
