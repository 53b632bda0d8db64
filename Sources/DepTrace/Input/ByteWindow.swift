#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A sliding window over a byte source for block formats: ask for the next
/// `n` bytes, look at them, consume them. Memory is the largest block asked
/// for, never the input's size.
public final class ByteWindow {
    private let source: any ByteSource
    private var storage: UnsafeMutableRawBufferPointer
    /// The block `storage` lies in when the window was made over one; nil once the window owns its storage.
    private var block: ByteBlock?
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// Absolute offset in the input of the window's first byte.
    public private(set) var offset = 0
    /// Bytes read from the source so far.
    public private(set) var bytesRead = 0

    /// The most bytes the window grows to when more is not asked for: a
    /// reader with a bound (a line length) never reads far beyond it.
    private let growthLimit: Int

    public init(source: any ByteSource, initialCapacity: Int = 1 << 20, growthLimit: Int = Int.max) {
        self.source = source
        self.growthLimit = Swift.max(growthLimit, 64)
        storage = .allocate(byteCount: Swift.min(Swift.max(initialCapacity, 64), self.growthLimit), alignment: 16)
    }

    /// A window over the first `count` bytes of `block`, already read, then
    /// `source` (which may hold only the error that ended the input): no copy.
    /// Beyond the block it grows as ``init(source:initialCapacity:growthLimit:)`` does.
    package init(block: ByteBlock, count: Int, then source: any ByteSource, growthLimit: Int = Int.max) {
        self.source = source
        self.growthLimit = Swift.max(growthLimit, 64)
        self.block = block
        storage = block.bytes
        end = Swift.min(count, block.capacity)
        bytesRead = end
    }

    deinit { if block == nil { storage.deallocate() } }

    /// Bytes available in the window now.
    public var available: Int { end - start }

    /// Makes at least `count` bytes available; false when the input ends first.
    public func ensure(_ count: Int) throws(InputError) -> Bool {
        while end - start < count {
            if atEnd { return false }
            if start > 0 {
                if let base = storage.baseAddress, end > start { memmove(base, base + start, end - start) }
                end -= start
                start = 0
            }
            if count > storage.count {
                let doubled = Swift.min(storage.count &* 2, growthLimit)
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(count, doubled), alignment: 16)
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<end]))
                if block == nil { storage.deallocate() }
                block = nil
                storage = grown
            }
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
            if read == 0 { atEnd = true }
            end += read
            bytesRead += read
        }
        return true
    }

    /// The next `count` bytes (which must be available); valid until the window moves.
    public func bytes(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[start..<(start + count)])
    }

    /// The position of the first `byte` at or after `start` among the available bytes.
    public func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        guard start < available, let base = storage.baseAddress,
            let found = memchr(base + self.start + start, Int32(byte), available - start)
        else { return nil }
        return (base + self.start).distance(to: UnsafeMutableRawPointer(found))
    }

    /// Drops `count` available bytes.
    public func consume(_ count: Int) {
        start += count
        offset += count
    }

    /// Where `pattern` (non-empty) first starts in `bytes`: memchr finds its first byte, then a compare.
    static func firstIndex(of pattern: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let head = pattern.first, bytes.count >= pattern.count else { return nil }
        var from = 0
        let last = bytes.count - pattern.count
        while from <= last, let hit = memchr(base + from, Int32(head), last - from + 1) {
            let position = base.distance(to: UnsafeRawPointer(hit))
            if pattern.indices.allSatisfy({ bytes[position + $0] == pattern[$0] }) { return position }
            from = position + 1
        }
        return nil
    }

    /// Drops bytes until `pattern` starts the window, or the input ends, or
    /// (when no match starts within `limit` bytes of the window's start) the
    /// window has passed `limit` bytes.
    ///
    /// - Returns: whether `pattern` was found.
    public func skip(to pattern: [UInt8], within limit: Int = Int.max) throws(InputError) -> Bool {
        let origin = offset
        while true {
            guard offset - origin <= limit, try ensure(pattern.count) else {
                consume(available)
                return false
            }
            if let position = ByteWindow.firstIndex(of: pattern, in: UnsafeRawBufferPointer(rebasing: storage[start..<end])) {
                consume(position)
                return true
            }
            // Keep the tail that could begin a match; read on.
            consume(available - (pattern.count - 1))
            _ = try ensure(available + 1)
        }
    }
}
