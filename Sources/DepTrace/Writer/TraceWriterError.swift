/// Why a ``TraceWriter`` refused a call.
public enum TraceWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record breaks a rule of the format; nothing was written.
    case refused(RuleViolation, record: String)
    /// A record was given with no trace open (call `begin` first).
    case noTrace(String)
    /// A record too large for one chunk of the binary encoding (16 MiB).
    case recordTooLarge(String, bytes: Int)
    /// Writing failed.
    case output(InputError)

    public var description: String {
        switch self {
        case let .refused(violation, record): "refused '\(record)' record: \(violation)"
        case .noTrace(let record): "'\(record)' record with no trace open: call begin(_:) first"
        case let .recordTooLarge(record, bytes):
            "refused '\(record)' record: \(bytes) bytes encoded, more than a binary chunk holds (16 MiB); records never span chunks"
        case .output(let error): error.description
        }
    }
}
