/// The engine's set of token ids for one stream: runs of ids as sorted ranges,
/// except in the 4096-id blocks where those ranges became fragmented, which
/// are held as bitmaps.
///
/// Eviction methods such as H2O punch single-id holes all over a stream's
/// recent ids; as sorted ranges every hole costs a binary search over
/// hundreds of ranges and a memmove. A fragmented block is 64 words instead,
/// and a point update touches one of them. Blocks enter bitmap form only
/// when they hold ``toBitmap`` ranges or more and leave it when they fill up
/// or keep fewer than ``toRuns`` ids, so memory still follows the shape of
/// the set (at most 512 bytes per block that holds ids), never the id space:
/// a run of 2^50 ids is still one range.
///
/// The set is the same whatever its layout: every query answers as an
/// ``IntervalSet`` of the same ids would.
struct IdSet: Sendable {
    /// Ids per bitmap block; a block's key is `id >> blockShift`.
    static let blockShift = 12
    static let blockSize = 1 << blockShift
    static let wordsPerBlock = blockSize / 64
    /// A block of ranges turns into a bitmap once it holds this many ranges...
    static let toBitmap = 16
    /// ...and a bitmap back into ranges once it holds fewer ids than this (or is full).
    static let toRuns = 8

    /// Ids outside every bitmap block.
    private(set) var runs = IntervalSet()
    /// Keys of the bitmap blocks, ascending.
    private var keys: [Int] = []
    /// `wordsPerBlock` words per block, in the order of `keys`; bit `i` of word `w` is id `key << 12 + 64 w + i`.
    private var words: [UInt64] = []
    /// Ids set in each block.
    private var blockCounts: [Int] = []
    /// The number of ids in the set.
    private(set) var count = 0

    init() {}

    /// Whether the set holds no id.
    var isEmpty: Bool { count == 0 }

    /// Ranges and bitmap blocks held: what the set costs in memory, in units of one range
    /// (a block costs as much as 32 ranges).
    ///
    /// Stored, not computed from the arrays' counts: the engine reads it
    /// before and after every record, and one-id updates in a bitmap block
    /// would otherwise load the headers of arrays they do not touch.
    private(set) var storedUnits = 0

    /// Sets ``storedUnits`` after `runs` or the blocks changed shape.
    @inline(__always)
    private mutating func countStoredUnits() {
        storedUnits = runs.ranges.count &+ keys.count &* (IdSet.wordsPerBlock / 2)
    }

    /// The number of bitmap blocks (for tests).
    var bitmapBlockCount: Int { keys.count }

    // MARK: - Walking a range block by block

    /// Index of the first block whose key is at least `key`.
    @inline(__always)
    private func firstBlock(atLeast key: Int) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low &+ high) >> 1
            if keys[middle] < key { low = middle &+ 1 } else { high = middle }
        }
        return low
    }

    /// One piece of a range: either inside bitmap block `block`, or (block < 0) held in `runs`.
    private struct Piece {
        var block: Int
        var range: Range<Int>
    }

    /// Calls `body` with the pieces of `range` in ascending order until it returns false.
    @inline(__always)
    private func forEachPiece(of range: Range<Int>, _ body: (Piece) -> Bool) {
        var position = range.lowerBound
        var block = firstBlock(atLeast: position >> IdSet.blockShift)
        while position < range.upperBound {
            let piece: Piece
            if block < keys.count, keys[block] << IdSet.blockShift <= position {
                let end = Swift.min(range.upperBound, (keys[block] &+ 1) << IdSet.blockShift)
                piece = Piece(block: block, range: position..<end)
                block &+= 1
            } else {
                let end = block < keys.count ? Swift.min(range.upperBound, keys[block] << IdSet.blockShift) : range.upperBound
                piece = Piece(block: -1, range: position..<end)
            }
            if !body(piece) { return }
            position = piece.range.upperBound
        }
    }

    /// The piece of `range` when it lies inside one block's span (the usual
    /// point update), found without allocating; nil when it spans blocks.
    @inline(__always)
    private func singlePiece(_ range: Range<Int>) -> Piece? {
        let key = range.lowerBound >> IdSet.blockShift
        guard (range.upperBound &- 1) >> IdSet.blockShift == key else { return nil }
        let block = firstBlock(atLeast: key)
        return Piece(block: block < keys.count && keys[block] == key ? block : -1, range: range)
    }

    /// The pieces of `range`, last first: converting a block adds or drops
    /// blocks after the earlier pieces only, so their indices stay valid.
    private func piecesLastFirst(_ range: Range<Int>) -> [Piece] {
        var list: [Piece] = []
        forEachPiece(of: range) { piece in
            list.append(piece)
            return true
        }
        return list.reversed()
    }

    // MARK: - Queries

    /// The smallest id of `range` that is not in the set, or nil when all are.
    func firstMissing(in range: Range<Int>) -> Int? { firstId(in: range, present: false) }

    /// The smallest id of `range` that is in the set, or nil when none is.
    func firstPresent(in range: Range<Int>) -> Int? { firstId(in: range, present: true) }

    /// The smallest id of `range` that is in the set (`present`) or not, or nil.
    @inline(__always)
    private func firstId(in range: Range<Int>, present: Bool) -> Int? {
        func inRuns(_ range: Range<Int>) -> Int? { present ? runs.firstPresent(in: range) : runs.firstMissing(in: range) }
        if range.isEmpty { return nil }
        if keys.isEmpty { return inRuns(range) }
        if let piece = singlePiece(range) {
            return piece.block < 0 ? inRuns(range) : firstBit(in: piece.block, range, set: present)
        }
        var found: Int?
        forEachPiece(of: range) { piece in
            found = piece.block < 0 ? inRuns(piece.range) : firstBit(in: piece.block, piece.range, set: present)
            return found == nil
        }
        return found
    }

    /// Whether `id` is in the set.
    func contains(_ id: Int) -> Bool { firstMissing(in: id..<(id &+ 1)) == nil }

    /// The same ids as sorted ranges.
    var intervalSet: IntervalSet {
        if keys.isEmpty { return runs }
        var result = IntervalSet()
        var nextRun = 0
        let ranges = runs.ranges
        for block in keys.indices {
            let base = keys[block] << IdSet.blockShift
            while nextRun < ranges.count, ranges[nextRun].lowerBound < base {
                result.insert(ranges[nextRun])
                nextRun &+= 1
            }
            forEachRun(inBlock: block) { result.insert($0) }
        }
        while nextRun < ranges.count {
            result.insert(ranges[nextRun])
            nextRun &+= 1
        }
        return result
    }

    // MARK: - Updates

    /// Adds the ids of `range` (within `[0, 2^53)`).
    mutating func insert(_ range: Range<Int>) {
        if range.isEmpty { return }
        if keys.isEmpty {
            insertRun(range)
        } else if range.count == 1, let spot = bitSpot(of: range.lowerBound) {
            setBit(spot)
        } else if let piece = singlePiece(range) {
            insert(piece)
        } else {
            for piece in piecesLastFirst(range) { insert(piece) }
        }
    }

    /// Removes the ids of `range` that are in the set.
    ///
    /// - Returns: how many ids were removed.
    @discardableResult
    mutating func remove(_ range: Range<Int>) -> Int {
        if range.isEmpty { return 0 }
        if keys.isEmpty { return removeRun(range) }
        if let piece = singlePiece(range) { return remove(piece) }
        var removed = 0
        for piece in piecesLastFirst(range) { removed &+= remove(piece) }
        return removed
    }

    /// Removes the ids of `range` when every one of them is in the set (an
    /// eviction); returns false, changing nothing, when one is not.
    ///
    /// One lookup where checking and removing would take two: in a bitmap
    /// block, the bits are tested and cleared in the same words.
    mutating func removeIfAllPresent(_ range: Range<Int>) -> Bool {
        if range.isEmpty { return true }
        if range.count == 1, !keys.isEmpty, let spot = bitSpot(of: range.lowerBound) { return clearBit(spot) }
        if !keys.isEmpty, let piece = singlePiece(range), piece.block >= 0 {
            guard firstBit(in: piece.block, range, set: false) == nil else { return false }
            _ = remove(piece)
            return true
        }
        guard firstMissing(in: range) == nil else { return false }
        remove(range)
        return true
    }

    @inline(__always)
    private mutating func insertRun(_ range: Range<Int>) {
        let before = runs.count
        runs.insert(range)
        count &+= runs.count &- before
        countStoredUnits()
    }

    @inline(__always)
    private mutating func removeRun(_ range: Range<Int>) -> Int {
        let removed = runs.remove(range)
        count &-= removed
        if removed > 0 { considerBitmap(around: range) }
        countStoredUnits()
        return removed
    }

    @inline(__always)
    private mutating func insert(_ piece: Piece) {
        if piece.block < 0 { return insertRun(piece.range) }
        count &+= setBits(in: piece.block, piece.range, to: true)
        if blockCounts[piece.block] == IdSet.blockSize { convertToRuns(piece.block) }
    }

    @inline(__always)
    private mutating func remove(_ piece: Piece) -> Int {
        if piece.block < 0 { return removeRun(piece.range) }
        let removed = setBits(in: piece.block, piece.range, to: false)
        count &-= removed
        if blockCounts[piece.block] < IdSet.toRuns { convertToRuns(piece.block) }
        return removed
    }

    // MARK: - Bitmap blocks

    /// Where one id's bit lives: its block, and the word and mask within `words`.
    private struct BitSpot {
        var block: Int
        var word: Int
        var mask: UInt64
    }

    /// The bit of `id` when `id` lies in a bitmap block's span, else nil.
    ///
    /// One-id updates (a step's new id, an H2O eviction) are most of an
    /// eviction trace: they go straight to their bit, without the range
    /// masks and bit counts of ``setBits(in:_:to:)``.
    @inline(__always)
    private func bitSpot(of id: Int) -> BitSpot? {
        let key = id >> IdSet.blockShift
        let block = firstBlock(atLeast: key)
        guard block < keys.count, keys[block] == key else { return nil }
        let offset = id & (IdSet.blockSize &- 1)
        return BitSpot(block: block, word: block &* IdSet.wordsPerBlock &+ offset >> 6, mask: 1 << UInt64(offset & 63))
    }

    /// Sets the bit at `spot` (one id of a bitmap block).
    @inline(__always)
    private mutating func setBit(_ spot: BitSpot) {
        let old = words[spot.word]
        guard old & spot.mask == 0 else { return }
        words[spot.word] = old | spot.mask
        count &+= 1
        blockCounts[spot.block] &+= 1
        if blockCounts[spot.block] == IdSet.blockSize { convertToRuns(spot.block) }
    }

    /// Clears the bit at `spot` (one id of a bitmap block); false, changing nothing, when it is clear.
    @inline(__always)
    private mutating func clearBit(_ spot: BitSpot) -> Bool {
        let old = words[spot.word]
        guard old & spot.mask != 0 else { return false }
        words[spot.word] = old & ~spot.mask
        count &-= 1
        blockCounts[spot.block] &-= 1
        if blockCounts[spot.block] < IdSet.toRuns { convertToRuns(spot.block) }
        return true
    }

    /// The first id of `range` (inside `block`) whose bit is `set`, or nil.
    @inline(__always)
    private func firstBit(in block: Int, _ range: Range<Int>, set: Bool) -> Int? {
        let base = keys[block] << IdSet.blockShift
        let low = range.lowerBound &- base
        let high = range.upperBound &- base
        return words.withUnsafeBufferPointer { buffer -> Int? in
            let start = block &* IdSet.wordsPerBlock
            var word = low >> 6
            let lastWord = (high &- 1) >> 6
            while word <= lastWord {
                var bits = buffer[start &+ word]
                if !set { bits = ~bits }
                bits &= IdSet.mask(word: word, low: low, high: high)
                if bits != 0 { return base &+ word << 6 &+ bits.trailingZeroBitCount }
                word &+= 1
            }
            return nil
        }
    }

    /// The bits of word `word` that fall in `[low, high)` (offsets within the block).
    @inline(__always)
    private static func mask(word: Int, low: Int, high: Int) -> UInt64 {
        let first = word << 6
        var mask = UInt64.max
        if low > first { mask &= UInt64.max << UInt64(low &- first) }
        if high < first &+ 64 { mask &= UInt64.max >> UInt64(first &+ 64 &- high) }
        return mask
    }

    /// Sets or clears the bits of `range` (inside `block`); returns how many changed.
    @inline(__always)
    private mutating func setBits(in block: Int, _ range: Range<Int>, to value: Bool) -> Int {
        let base = keys[block] << IdSet.blockShift
        let low = range.lowerBound &- base
        let high = range.upperBound &- base
        let start = block &* IdSet.wordsPerBlock
        var changed = 0
        words.withUnsafeMutableBufferPointer { buffer in
            var word = low >> 6
            let lastWord = (high &- 1) >> 6
            while word <= lastWord {
                let mask = IdSet.mask(word: word, low: low, high: high)
                let old = buffer[start &+ word]
                let new = value ? old | mask : old & ~mask
                changed &+= (old ^ new).nonzeroBitCount
                buffer[start &+ word] = new
                word &+= 1
            }
        }
        blockCounts[block] = value ? blockCounts[block] &+ changed : blockCounts[block] &- changed
        return changed
    }

    /// Calls `body` with the runs of set bits of `block`, ascending.
    private func forEachRun(inBlock block: Int, _ body: (Range<Int>) -> Void) {
        let base = keys[block] << IdSet.blockShift
        let start = block &* IdSet.wordsPerBlock
        var runStart: Int?
        for word in 0..<IdSet.wordsPerBlock {
            var bits = words[start &+ word]
            var offset = 0
            // Alternate between runs of ones and zeros within the word.
            while offset < 64 {
                if runStart == nil {
                    if bits == 0 { break }
                    let skip = bits.trailingZeroBitCount
                    offset &+= skip
                    bits >>= UInt64(skip)
                    runStart = base &+ word << 6 &+ offset
                } else {
                    let ones = (~bits).trailingZeroBitCount
                    if ones >= 64 &- offset { break }
                    offset &+= ones
                    bits = ones == 64 ? 0 : bits >> UInt64(ones)
                    if let open = runStart { body(open..<(base &+ word << 6 &+ offset)) }
                    runStart = nil
                }
            }
        }
        if let open = runStart { body(open..<(base &+ IdSet.blockSize)) }
    }

    /// Moves block `block`'s ids back into `runs` and drops the bitmap.
    private mutating func convertToRuns(_ block: Int) {
        var moved: [Range<Int>] = []
        forEachRun(inBlock: block) { moved.append($0) }
        let start = block &* IdSet.wordsPerBlock
        words.removeSubrange(start..<(start &+ IdSet.wordsPerBlock))
        keys.remove(at: block)
        blockCounts.remove(at: block)
        for range in moved { runs.insert(range) }
        countStoredUnits()
    }

    /// After ids of `range` left `runs`: turns the block around it into a
    /// bitmap when its ranges have become many.
    private mutating func considerBitmap(around range: Range<Int>) {
        guard runs.ranges.count >= IdSet.toBitmap else { return }
        let key = range.lowerBound >> IdSet.blockShift
        guard (range.upperBound &- 1) >> IdSet.blockShift == key else { return }
        let base = key << IdSet.blockShift
        let end = base &+ IdSet.blockSize
        let first = runs.firstIndex(endingAfter: base)
        var last = runs.firstIndex(endingAfter: end &- 1)
        if last < runs.ranges.count, runs.ranges[last].lowerBound < end { last &+= 1 }
        guard last &- first >= IdSet.toBitmap else { return }
        // The block may not lie inside another bitmap block's span: blocks are aligned, so it cannot.
        let index = firstBlock(atLeast: key)
        keys.insert(key, at: index)
        blockCounts.insert(0, at: index)
        words.insert(contentsOf: repeatElement(0, count: IdSet.wordsPerBlock), at: index &* IdSet.wordsPerBlock)
        var pieces: [Range<Int>] = []
        for stored in runs.ranges[first..<last] {
            pieces.append(Swift.max(stored.lowerBound, base)..<Swift.min(stored.upperBound, end))
        }
        runs.remove(base..<end)
        for piece in pieces { _ = setBits(in: index, piece, to: true) }
    }
}

extension IdSet {
    /// The set of the ids of `set`.
    init(_ set: IntervalSet) {
        self.init()
        for range in set.ranges { insert(range) }
    }
}
