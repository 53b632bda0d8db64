import ArgumentParser
import DepTrace
import DepTraceArchive

/// Bounds on what one trace may make the reader hold (issue 10); the defaults are generous.
struct ResourceLimitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Largest token id a trace may use.", valueName: "n"))
    var maxTokenId: Int = ResourceLimits.defaultMaxTokenId

    @Option(name: .long, help: ArgumentHelp("Most streams (layers × heads) a header may declare.", valueName: "n"))
    var maxStreams: Int = ResourceLimits.defaultMaxStreams

    @Option(name: .long, help: ArgumentHelp("Most ranges one record may list.", valueName: "n"))
    var maxRangesPerRecord: Int = ResourceLimits.defaultMaxRangesPerRecord

    @Option(name: .long, help: ArgumentHelp("Longest JSONL line, such as 256M.", valueName: "size"))
    var maxLineLength = ByteSize(bytes: Int64(ResourceLimits.defaultMaxLineLength))

    @Option(name: .long, help: ArgumentHelp("Largest trace header, such as 16M.", valueName: "size"))
    var maxHeaderSize = ByteSize(bytes: Int64(ResourceLimits.defaultMaxHeaderBytes))

    @Option(name: .long, help: ArgumentHelp("Largest binary chunk payload, such as 16M (at most 1G).", valueName: "size"))
    var maxChunkSize = ByteSize(bytes: Int64(ResourceLimits.defaultMaxChunkBytes))

    @Option(name: .long, help: ArgumentHelp("Most ranges of visible and resident sets held for one trace, all streams together.", valueName: "n"))
    var maxHeldIntervals: Int = ResourceLimits.defaultMaxHeldIntervals

    func validate() throws {
        for (value, flag) in [(maxTokenId, "--max-token-id"), (maxStreams, "--max-streams"),
                              (maxRangesPerRecord, "--max-ranges-per-record"), (maxHeldIntervals, "--max-held-intervals")]
        where value < 1 {
            throw ValidationError("'\(flag)' must be 1 or more.")
        }
        if maxChunkSize.bytes > Int64(ResourceLimits.largestChunkBytes) {
            throw ValidationError("'--max-chunk-size' can be at most 1G: a larger length could not be told from a trace's magic.")
        }
    }

    /// The limits the flags describe (validated already).
    var limits: ResourceLimits {
        ResourceLimits(
            maxTokenId: maxTokenId, maxStreams: maxStreams, maxRangesPerRecord: maxRangesPerRecord,
            maxLineLength: Int(clamping: maxLineLength.bytes), maxHeaderBytes: Int(clamping: maxHeaderSize.bytes),
            maxChunkBytes: Int(clamping: maxChunkSize.bytes), maxHeldIntervals: maxHeldIntervals)
    }
}
