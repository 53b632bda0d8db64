import DepTrace
import Testing
import _DepTraceTestSupport

@Suite struct IntervalSetTests {
    @Test func mergesAdjacentAndOverlapping() {
        var set = IntervalSet()
        set.insert(0..<5)
        set.insert(5..<8)
        set.insert(10..<12)
        #expect(set.ranges == [0..<8, 10..<12])
        set.insert(7..<11)
        #expect(set.ranges == [0..<12])
        #expect(set.count == 12)
    }

    @Test func removeSplitsRanges() {
        var set = IntervalSet([0..<100])
        #expect(set.remove(40..<50) == 10)
        #expect(set.ranges == [0..<40, 50..<100])
        #expect(set.remove(30..<60) == 20)
        #expect(set.ranges == [0..<30, 60..<100])
        #expect(set.remove(200..<300) == 0)
        #expect(set.count == 70)
    }

    @Test func queries() {
        let set = IntervalSet([0..<10, 20..<30])
        #expect(set.contains(0..<10))
        #expect(!set.contains(5..<25))
        #expect(set.firstMissing(in: 5..<25) == 10)
        #expect(set.firstMissing(in: 15..<25) == 15)
        #expect(set.firstPresent(in: 10..<25) == 20)
        #expect(set.firstPresent(in: 10..<20) == nil)
        #expect(set.intersects(9..<11))
        #expect(!set.intersects(10..<20))
        #expect(set.last == 29)
    }

    /// Random operations agree with a `Set<Int>`.
    @Test(arguments: 0..<300)
    func matchesSetModel(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        var set = IntervalSet()
        var model = Set<Int>()
        for _ in 0..<200 {
            let start = Int.random(in: 0..<200, using: &random)
            let range = start..<(start + Int.random(in: 0...20, using: &random))
            if random.chance(0.5) {
                set.insert(range)
                model.formUnion(range)
            } else {
                let removed = set.remove(range)
                #expect(removed == model.intersection(range).count)
                model.subtract(range)
            }
            #expect(set.count == model.count)
        }
        #expect(set.ranges == RandomTraceGenerator.ranges(model))
        let other = IntervalSet([10..<50, 120..<130])
        #expect(Set(set.subtracting(other).ranges.flatMap { $0 }) == model.subtracting(other.ranges.flatMap { $0 }))
        #expect(Set(set.intersection(other).ranges.flatMap { $0 }) == model.intersection(other.ranges.flatMap { $0 }))
    }
}
