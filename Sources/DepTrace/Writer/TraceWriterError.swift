/// Why a ``TraceWriter`` refused a call.
public enum TraceWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record breaks a rule of the format; nothing was written.
    case refused(RuleViolation, record: String)
    /// A record was given with no trace open (call `begin` first).
    case noTrace(String)
    /// Writing failed.
    case output(InputError)

    public var description: String {
        switch self {
        case let .refused(violation, record): "refused '\(record)' record: \(violation)"
        case .noTrace(let record): "'\(record)' record with no trace open: call begin(_:) first"
        case .output(let error): error.description
        }
    }
}
