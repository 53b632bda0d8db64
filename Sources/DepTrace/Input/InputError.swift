/// A failure to find or read an input, with the path and the system's message.
public enum InputError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case cannotOpen(String, String)
    case readFailed(String, String)
    case lineTooLong(String, line: Int, limit: Int)
    case unsupportedContent(String, String)
    case writeFailed(String, String)
    /// A write into a pipe whose reader has closed it (`EPIPE`).
    case readerClosed(String)

    /// The error as a diagnostic about its file.
    public var diagnostic: Diagnostic {
        switch self {
        case .notFound(let path): Diagnostic(.error, file: path, message: "no such file or directory")
        case let .cannotOpen(path, reason): Diagnostic(.error, file: path, message: "cannot open: \(reason)")
        case let .readFailed(path, reason): Diagnostic(.error, file: path, message: "read failed: \(reason)")
        case let .lineTooLong(path, line, limit): Diagnostic(.error, file: path, line: line, message: "line longer than \(limit) bytes; the rest of the file is not read (raise the limit with --max-line-length)")
        case let .unsupportedContent(path, reason): Diagnostic(.error, file: path, message: reason)
        case let .writeFailed(path, reason): Diagnostic(.error, file: path, message: "write failed: \(reason)")
        case let .readerClosed(path): Diagnostic(.error, file: path, message: "write failed: the reader closed the pipe")
        }
    }

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file or directory"
        case let .cannotOpen(path, reason): "\(path): cannot open: \(reason)"
        case let .readFailed(path, reason): "\(path): read failed: \(reason)"
        case let .lineTooLong(path, line, limit): "\(path):\(line): line longer than \(limit) bytes; the rest of the file is not read (raise the limit with --max-line-length)"
        case let .unsupportedContent(path, reason): "\(path): \(reason)"
        case let .writeFailed(path, reason): "\(path): write failed: \(reason)"
        case let .readerClosed(path): "\(path): write failed: the reader closed the pipe"
        }
    }
}
