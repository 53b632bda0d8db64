import DepTrace

/// Reads a byte source ahead on its own thread, so that decompression runs on
/// one core while the trace readers parse on another.
///
/// Holds at most `buffers` blocks of `blockSize` bytes. Call ``finish()``
/// before touching the upstream source again: it stops the reading thread
/// (even when the consumer stopped early) and waits for it.
final class ReadAheadSource: ByteSource, @unchecked Sendable {
    private let upstream: any ByteSource
    private let condition = ConditionLock()
    // Guarded by `condition`:
    private var free: [UnsafeMutableRawBufferPointer]
    private var filled: [(block: UnsafeMutableRawBufferPointer, count: Int)] = []
    private var ended = false
    private var failure: InputError?
    private var cancelled = false
    private var producing = true
    // Owned by the consumer:
    private var current: (block: UnsafeMutableRawBufferPointer, count: Int)?
    private var offset = 0
    private let blocks: [UnsafeMutableRawBufferPointer]
    private var finished = false
    /// Set when no thread could be started: reads then go straight to upstream.
    private var direct = false

    init(_ upstream: any ByteSource, blockSize: Int = 1 << 20, buffers: Int = 4) {
        self.upstream = upstream
        blocks = (0..<Swift.max(buffers, 2)).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64) }
        free = blocks
        if !DetachedThread.start({ [self] in produce() }) {
            producing = false
            direct = true
        }
    }

    deinit {
        finish()
        for block in blocks { block.deallocate() }
    }

    /// The producer: fills free blocks from upstream until its end, a failure or cancellation.
    private func produce() {
        defer {
            condition.lock()
            producing = false
            condition.broadcast()
            condition.unlock()
        }
        while true {
            condition.lock()
            while free.isEmpty && !cancelled { condition.wait() }
            if cancelled {
                condition.unlock()
                return
            }
            let block = free.removeLast()
            condition.unlock()

            var count = 0
            var endReached = false
            var error: InputError?
            while count < block.count {
                do {
                    let read = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: block[count...]))
                    if read == 0 { endReached = true; break }
                    count += read
                } catch let thrown {
                    error = thrown
                    break
                }
            }
            condition.lock()
            if count > 0 { filled.append((block, count)) } else { free.append(block) }
            if endReached || error != nil {
                ended = true
                failure = error
            }
            condition.signal()
            condition.unlock()
            if endReached || error != nil { return }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if direct { return try upstream.read(into: buffer) }
        while true {
            if let current, offset < current.count, let start = current.block.baseAddress {
                let n = Swift.min(buffer.count, current.count - offset)
                base.copyMemory(from: start + offset, byteCount: n)
                offset += n
                return n
            }
            condition.lock()
            if let block = current?.block {
                free.append(block)
                current = nil
                condition.signal()
            }
            while filled.isEmpty && !ended { condition.wait() }
            if filled.isEmpty {
                let error = failure
                condition.unlock()
                if let error { throw error }
                return 0
            }
            current = filled.removeFirst()
            offset = 0
            condition.unlock()
        }
    }

    /// Stops reading ahead and waits for the reading thread; safe to call more than once.
    func finish() {
        guard !finished else { return }
        finished = true
        condition.lock()
        cancelled = true
        condition.broadcast()
        while producing { condition.wait() }
        condition.unlock()
    }
}
