#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered text output to standard output or standard error.
///
/// The process writes its output from one thread; the buffer is not locked.
public final class TextOutput: @unchecked Sendable {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    /// Standard output; flushed by ``flush()`` and when the buffer fills.
    public static let standardOutput = TextOutput(descriptor: STDOUT_FILENO)
    /// Standard error; callers flush after each whole message.
    public static let standardError = TextOutput(descriptor: STDERR_FILENO)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
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
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let written = systemWrite(descriptor, base + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    // A closed pipe (`deptrace stats | head`): the reader is gone, so is the output.
                    break
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Whether the stream is a terminal.
    public var isTerminal: Bool { isatty(descriptor) != 0 }

    /// The terminal's width in columns, or 80 when it is not a terminal.
    public var terminalWidth: Int {
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}

#if canImport(Darwin)
private let systemWrite = Darwin.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#else
private let systemWrite = Glibc.write
#endif
