#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A pipe whose write end a background thread fills with `bytes` in short
/// writes, then closes; its read end is named `/dev/fd/N`, as a process
/// substitution names it, so readers open it as a stream.
public final class PipeFeeder: @unchecked Sendable {
    private let readEnd: Int32
    private let done = DispatchSemaphore(value: 0)
    public var readPath: String { "/dev/fd/\(readEnd)" }

    public init?(_ bytes: [UInt8], writeSize: Int) {
        // A reader that stops early closes the pipe: the writer then gets EPIPE, not a fatal signal.
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        readEnd = ends[0]
        let writeEnd = ends[1]
        let done = self.done
        DispatchQueue.global().async {
            var offset = 0
            while offset < bytes.count {
                let count = Swift.min(writeSize, bytes.count - offset)
                let written = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress.map { $0 + offset }, count) }
                if written < 0 { if errno == EINTR { continue }; break }
                offset += written
            }
            close(writeEnd)
            done.signal()
        }
    }

    /// Closes the read end (a writer still writing then stops) and waits for the writer.
    public func finish() {
        close(readEnd)
        done.wait()
    }
}
