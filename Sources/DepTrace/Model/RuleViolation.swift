/// A record or header that breaks a rule of the trace format.
///
/// The description names the rule; readers add the file, trace and line.
public enum RuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    case idOutOfRange(start: Int, end: Int)
    case emptyRange(start: Int, end: Int)
    case unsortedRanges(Range<Int>)
    case streamOutOfRange(Int, streams: Int)
    case noQueries(Int)
    case stepIdsNotNew(first: Int, lastCreated: Int)
    case stepIdsTooLarge(first: Int, count: Int)
    case evictNotResident(id: Int, stream: Int)
    case addNeverCreated(id: Int)
    case addAlreadyResident(id: Int, stream: Int)
    case hideNotVisible(id: Int, stream: Int)
    case showNotHidden(id: Int, stream: Int)
    case snapVisibleMismatch(stream: Int, expected: String, computed: String)
    case snapResidentMismatch(stream: Int, expected: String, computed: String)
    case recordAfterEnd(String)
    case tooManyStreams(layers: Int, heads: Int, limit: Int)
    case badHeaderField(String, String)
    case overflow(String)
    /// A well-formed JSON line whose shape breaks the format (wrong key type, two type keys, ...).
    case malformedRecord(String)
    /// A bound of ``ResourceLimits`` exceeded; the message names it and the option that raises it.
    case limitExceeded(String)

    public var description: String {
        switch self {
        case let .idOutOfRange(start, end):
            "range [\(start),\(end)] leaves the id space [0, 2^53)"
        case let .emptyRange(start, end):
            "empty range [\(start),\(end)]: ranges are half-open [start, end) with start < end"
        case .unsortedRanges(let range):
            "range [\(range.lowerBound),\(range.upperBound)] overlaps or precedes the one before it: ranges in a record must be sorted ascending and non-overlapping"
        case let .streamOutOfRange(stream, streams):
            "stream s=\(stream) out of range: the header declares \(streams) stream\(streams == 1 ? "" : "s") (layers × heads)"
        case .noQueries(let count):
            "step has n=\(count) queries: a step needs n ≥ 1"
        case let .stepIdsNotNew(first, lastCreated):
            "step ids must be greater than every id created before: first id \(first), but id \(lastCreated) already exists"
        case let .stepIdsTooLarge(first, count):
            "step ids \(first) ..< \(first) + \(count) leave the id space [0, 2^53)"
        case let .evictNotResident(id, stream):
            "evict may only free resident ids: id \(id) is not resident in stream \(stream)"
        case .addNeverCreated(let id):
            "add may only bring back ids created earlier: id \(id) was never created by a step"
        case let .addAlreadyResident(id, stream):
            "add may only bring back ids that are not resident: id \(id) is resident in stream \(stream)"
        case let .hideNotVisible(id, stream):
            "hide may only mask visible ids: id \(id) is not visible in stream \(stream)"
        case let .showNotHidden(id, stream):
            "show may only unmask hidden resident ids: id \(id) in stream \(stream) is visible or not resident"
        case let .snapVisibleMismatch(stream, expected, computed):
            "snap does not match the visible set of stream \(stream): snap says \(expected), computed \(computed)"
        case let .snapResidentMismatch(stream, expected, computed):
            "snap does not match the resident set of stream \(stream): snap says \(expected), computed \(computed)"
        case .recordAfterEnd(let type):
            "'\(type)' record after 'end': only a new header may follow the end of a trace"
        case let .tooManyStreams(layers, heads, limit):
            "the header declares layers \(layers) × heads \(heads) streams, more than the limit of \(limit) (raise it with --max-streams)"
        case let .badHeaderField(key, expected):
            "header key '\(key)' must be \(expected)"
        case .overflow(let what):
            "integer overflow computing \(what): the trace's numbers exceed 64-bit arithmetic"
        case .malformedRecord(let message), .limitExceeded(let message):
            message
        }
    }
}
