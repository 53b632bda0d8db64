import DepTrace

/// Buffered text output to a file that appears whole or not at all
/// (``DepTrace/AtomicFile``); the first write error is kept and reported by ``close()``.
public final class TextFileWriter {
    private let file: AtomicFile
    private var buffer: [UInt8] = []
    private var failure: InputError?
    private let limit = 1 << 16

    /// - Throws: ``DepTrace/InputError`` when the file cannot be created.
    public init(path: String) throws(InputError) {
        file = try AtomicFile(path: path)
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

    /// Writes out what is buffered and puts the file in place.
    /// - Throws: the first write error, if any; the target is then left as it was.
    public func close() throws(InputError) {
        flush()
        if let failure {
            file.discard()
            throw failure
        }
        try file.commit()
    }

    /// Gives the file up: the target is left as it was.
    public func discard() {
        file.discard()
    }
}
