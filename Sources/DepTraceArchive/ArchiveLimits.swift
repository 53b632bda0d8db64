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
}
