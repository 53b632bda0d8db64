@testable import DepTrace
import Testing

@Suite struct ByteBlockPoolTests {
    /// A kept block goes to a piece only when it is at most twice the size
    /// asked for, the smallest that fits first: a small piece does not take
    /// the block a large one will need next.
    @Test func takesTheSmallestKeptBlockThatFitsAndIsAtMostTwiceTheSize() {
        let pool = ByteBlockPool(limit: 8)
        let large = ByteBlock(capacity: 1000)
        let medium = ByteBlock(capacity: 180)
        let small = ByteBlock(capacity: 150)
        for block in [large, medium, small] { pool.give(block) }
        #expect(pool.take(capacity: 100) === small)
        #expect(pool.take(capacity: 100) === medium)
        let fresh = pool.take(capacity: 100)
        #expect(fresh !== large && fresh.capacity == 100)
        #expect(pool.take(capacity: 600) === large)
        #expect(pool.take(capacity: 600).capacity == 600)
    }

    @Test func keepsNoMoreThanItsLimit() {
        let pool = ByteBlockPool(limit: 2)
        let blocks = (0..<3).map { _ in ByteBlock(capacity: 64) }
        for block in blocks { pool.give(block) }
        let taken = (0..<3).map { _ in ObjectIdentifier(pool.take(capacity: 64)) }
        #expect(Set(taken[0..<2]) == Set(blocks[0..<2].map(ObjectIdentifier.init)))
        #expect(taken[2] != ObjectIdentifier(blocks[2]))
    }
}
