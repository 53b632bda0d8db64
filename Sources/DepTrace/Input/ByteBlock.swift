import Dispatch

/// Bytes in memory allocated once and freed with the last reference: a piece
/// of a stream handed from the thread that read it to the one that parses it,
/// without copying (``ByteWindow/init(block:count:then:)``).
///
/// Only one thread uses a block at a time: the reader fills it, then hands it over.
package final class ByteBlock: @unchecked Sendable {
    package let bytes: UnsafeMutableRawBufferPointer

    package init(capacity: Int) {
        bytes = .allocate(byteCount: Swift.max(capacity, 1), alignment: 16)
    }

    deinit { bytes.deallocate() }

    package var capacity: Int { bytes.count }
}

/// Blocks handed back after use, for the next piece of a stream: a fresh
/// block costs a page fault per 4 KiB on its first filling, a reused one none.
package final class ByteBlockPool: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var blocks: [ByteBlock] = []
    private let limit: Int

    /// A pool that keeps at most `limit` blocks.
    package init(limit: Int) { self.limit = limit }

    /// A block of at least `capacity` bytes: the smallest kept one that fits
    /// and is at most twice that size, else a new one. (Handing a large block
    /// to a small piece would leave the next large piece to allocate another,
    /// and memory would follow the largest pieces times the pieces in flight.)
    package func take(capacity: Int) -> ByteBlock {
        lock.wait()
        let best = blocks.indices.lazy
            .filter { self.blocks[$0].capacity >= capacity && self.blocks[$0].capacity / 2 <= capacity }
            .min { self.blocks[$0].capacity < self.blocks[$1].capacity }
        let block = best.map { blocks.remove(at: $0) }
        lock.signal()
        return block ?? ByteBlock(capacity: capacity)
    }

    /// Keeps `block` for a later ``take(capacity:)``; its bytes are no longer read.
    package func give(_ block: ByteBlock) {
        lock.wait()
        if blocks.count < limit { blocks.append(block) }
        lock.signal()
    }
}
