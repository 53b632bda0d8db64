/// Why a simulation or a closed form could not be computed.
public enum SimulationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A parameter is out of its range; the message names the option.
    case invalidParameter(String)
    /// A line of a lengths file is not `PROMPT OUTPUT [THOUGHT...]`.
    case badLengthsLine(line: Int, String)
    /// A number of a closed form or a schedule does not fit in 64 bits.
    case overflow(String)
    /// The trace writer refused a record: a bug in a policy, or an output error.
    case writer(TraceWriterError)

    public var description: String {
        switch self {
        case .invalidParameter(let message): message
        case let .badLengthsLine(line, message): "line \(line): \(message)"
        case .overflow(let what): "\(what) does not fit in a 64-bit integer"
        case .writer(let error): error.description
        }
    }
}
