/// Bounds on what one trace may make a reader hold, so that a hostile or
/// broken input stops with an error naming the bound instead of exhausting
/// memory. The defaults are far above what real traces need.
public struct ResourceLimits: Sendable, Hashable {
    /// The largest token id a step or range may use (the format allows up to 2^53 − 1).
    public var maxTokenId: Int
    /// The most streams (`layers × heads`) a header may declare.
    public var maxStreams: Int
    /// The most ranges one record may list.
    public var maxRangesPerRecord: Int
    /// The longest JSONL line, in bytes.
    public var maxLineLength: Int
    /// The largest header, in bytes (a JSONL header line, or a binary header's JSON).
    public var maxHeaderBytes: Int
    /// The largest binary chunk payload, in bytes.
    public var maxChunkBytes: Int
    /// The most ranges held in memory for one trace's visible and resident
    /// sets, all streams together (a fragmented 4096-id bitmap block counts 32).
    public var maxHeldIntervals: Int

    public static let defaultMaxTokenId = RangeList.idLimit - 1
    public static let defaultMaxStreams = 1 << 20
    /// 4 Mi ranges: 64 MiB as a list.
    public static let defaultMaxRangesPerRecord = 1 << 22
    public static let defaultMaxLineLength = 256 << 20
    public static let defaultMaxHeaderBytes = BinaryLayout.maxHeaderSize
    /// The format's own bound: writers never close a larger chunk.
    public static let defaultMaxChunkBytes = BinaryLayout.maxChunkPayload
    /// No chunk length may reach the magic's first four bytes read as a length (about 1.05 GiB).
    public static let largestChunkBytes = 1 << 30
    /// 64 Mi ranges: 1 GiB of sets.
    public static let defaultMaxHeldIntervals = 1 << 26

    public init(
        maxTokenId: Int = defaultMaxTokenId, maxStreams: Int = defaultMaxStreams,
        maxRangesPerRecord: Int = defaultMaxRangesPerRecord, maxLineLength: Int = defaultMaxLineLength,
        maxHeaderBytes: Int = defaultMaxHeaderBytes, maxChunkBytes: Int = defaultMaxChunkBytes,
        maxHeldIntervals: Int = defaultMaxHeldIntervals
    ) {
        self.maxTokenId = maxTokenId
        self.maxStreams = maxStreams
        self.maxRangesPerRecord = maxRangesPerRecord
        self.maxLineLength = maxLineLength
        self.maxHeaderBytes = maxHeaderBytes
        self.maxChunkBytes = Swift.min(maxChunkBytes, ResourceLimits.largestChunkBytes)
        self.maxHeldIntervals = maxHeldIntervals
    }

    /// `16 MiB`, `1000 bytes`: a byte count for messages.
    static func bytes(_ count: Int) -> String {
        for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] where count >= 1 << shift && count % (1 << shift) == 0 {
            return "\(count >> shift) \(unit)"
        }
        return "\(count) byte\(count == 1 ? "" : "s")"
    }
}
