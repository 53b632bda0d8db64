import DepTrace

/// Buffered text output to a file created (or truncated) on opening; the
/// first write error is kept and reported by ``close()``.
public final class TextFileWriter {
    private let file: FileDescriptor
    private var buffer: [UInt8] = []
    private var failure: InputError?
    private let limit = 1 << 16

    /// - Throws: ``DepTrace/InputError`` when the file cannot be created.
    public init(path: String) throws(InputError) {
        file = try FileDescriptor(opening: path, flags: FileDescriptor.createOrTruncate)
        buffer.reserveCapacity(limit)
    }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    private func flush() {
        guard failure == nil, !buffer.isEmpty else { buffer.removeAll(keepingCapacity: true); return }
        let file = self.file
        failure = buffer.withUnsafeBytes { bytes -> InputError? in
            do throws(InputError) { try file.write(bytes) } catch { return error }
            return nil
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes out what is buffered.
    /// - Throws: the first write error, if any.
    public func close() throws(InputError) {
        flush()
        if let failure { throw failure }
    }
}
