import DepTrace

/// Buffered text output to standard output or standard error.
///
/// The process writes its output from one thread; the buffer is not locked.
public final class TextOutput: @unchecked Sendable {
    private let file: FileDescriptor
    private var buffer: [UInt8] = []
    /// The first write error other than a closed pipe; later output is dropped.
    public private(set) var failure: InputError?
    /// Whether the reader went away (`EPIPE`): the rest of the output is dropped quietly.
    public private(set) var readerClosed = false
    private let limit = 1 << 16

    /// Standard output; flushed by ``flush()`` and when the buffer fills.
    public static let standardOutput = TextOutput(file: .standardOutput)
    /// Standard error; callers flush after each whole message.
    public static let standardError = TextOutput(file: .standardError)

    private init(file: FileDescriptor) {
        self.file = file
        buffer.reserveCapacity(limit)
    }

    /// Appends `text`; writes out when the buffer passes 64 KiB.
    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    /// Writes out what is buffered.
    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil, !readerClosed else { return }
        let file = self.file
        let error = buffer.withUnsafeBytes { bytes -> InputError? in
            do throws(InputError) { try file.write(bytes) } catch { return error }
            return nil
        }
        guard let error else { return }
        // A closed pipe (`deptrace stats | head`) means the reader is gone; so is the output, quietly.
        if case .readerClosed = error {
            readerClosed = true
        } else {
            failure = error
        }
    }

    /// Whether the stream is a terminal.
    public var isTerminal: Bool { file.isTerminal }

    /// The terminal's width in columns, or 80 when it is not a terminal.
    public var terminalWidth: Int { file.terminalWidth ?? 80 }
}
