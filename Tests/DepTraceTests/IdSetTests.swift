@testable import DepTrace
import Testing

/// `IdSet` against `IntervalSet` (the plain sorted-ranges set) on the same operations.
@Suite struct IdSetTests {
    /// Every query of `set` answers as `model` does on `probes`.
    private func expectSame(_ set: IdSet, _ model: IntervalSet, probes: [Range<Int>], _ note: String = "") {
        #expect(set.count == model.count, "\(note)")
        #expect(set.storedUnits == set.runs.ranges.count + set.bitmapBlockCount * IdSet.wordsPerBlock / 2, "\(note)")
        #expect(set.intervalSet == model, "\(note)")
        for probe in probes {
            #expect(set.firstMissing(in: probe) == model.firstMissing(in: probe), "\(note) firstMissing \(probe)")
            #expect(set.firstPresent(in: probe) == model.firstPresent(in: probe), "\(note) firstPresent \(probe)")
        }
    }

    /// A set and its model holding every id of block `block`, and the block's first id.
    private func fullBlock(_ block: Int) -> (IdSet, IntervalSet, Int) {
        let base = block * IdSet.blockSize
        var set = IdSet()
        var model = IntervalSet()
        set.insert(base..<(base + IdSet.blockSize))
        model.insert(base..<(base + IdSet.blockSize))
        return (set, model, base)
    }

    @Test func emptySet() {
        let set = IdSet()
        #expect(set.isEmpty)
        #expect(set.firstMissing(in: 0..<1) == 0)
        #expect(set.firstPresent(in: 0..<100) == nil)
        #expect(set.firstMissing(in: 5..<5) == nil)
        #expect(set.intervalSet == IntervalSet())
    }

    @Test func fragmentedBlockBecomesBitmapAndBack() {
        var set = IdSet()
        var model = IntervalSet()
        set.insert(0..<5000)
        model.insert(0..<5000)
        // Punch single-id holes, as H2O does: the block turns into a bitmap.
        for id in stride(from: 1, to: 200, by: 3) {
            #expect(set.remove(id..<(id + 1)) == 1)
            model.remove(id..<(id + 1))
        }
        #expect(set.bitmapBlockCount == 1)
        expectSame(set, model, probes: [0..<1, 1..<2, 0..<4096, 4090..<4100, 4095..<4097, 199..<4200, 3..<4, 190..<250])
        // A range over the bitmap block and the runs after it.
        #expect(set.remove(100..<4500) == model.remove(100..<4500))
        expectSame(set, model, probes: [0..<5000, 99..<101, 4499..<4501])
        // Refill the block: once full it goes back to one range.
        set.insert(0..<4096)
        model.insert(0..<4096)
        #expect(set.bitmapBlockCount == 0)
        #expect(set.runs.ranges == model.ranges)
        expectSame(set, model, probes: [0..<5000, 4095..<4097])
    }

    /// One-id updates take their own path to the bit: it must keep the
    /// counts and the conversions of the range path.
    @Test func oneIdUpdatesFillAndEmptyABitmapBlock() {
        var (set, model, base) = fullBlock(2)
        let holes = Array(stride(from: base + 1, to: base + 200, by: 2))
        for id in holes {
            let removed = set.removeIfAllPresent(id..<(id + 1))
            #expect(removed)
            model.remove(id..<(id + 1))
        }
        #expect(set.bitmapBlockCount == 1)
        // Removing an absent id changes nothing; adding a present one neither.
        let removedAbsent = set.removeIfAllPresent(holes[5]..<(holes[5] + 1))
        #expect(!removedAbsent)
        set.insert(base..<(base + 1))
        expectSame(set, model, probes: [base..<(base + 1), holes[5]..<(holes[5] + 1), base..<(base + IdSet.blockSize)])
        // Filled id by id, the block goes back to one range when the last hole closes.
        for id in holes.reversed() {
            #expect(set.bitmapBlockCount == 1)
            set.insert(id..<(id + 1))
            model.insert(id..<(id + 1))
        }
        #expect(set.bitmapBlockCount == 0)
        #expect(set.runs.ranges == [base..<(base + IdSet.blockSize)])
        expectSame(set, model, probes: [(base - 1)..<(base + IdSet.blockSize + 1)])
        // Emptied id by id, it goes back to ranges below `toRuns` ids.
        for id in stride(from: base + 1, to: base + 100, by: 2) { set.remove(id..<(id + 1)) }
        set.remove((base + 100)..<(base + IdSet.blockSize))
        #expect(set.bitmapBlockCount == 1)
        var left = set.count
        for id in stride(from: base, to: base + 100, by: 2) {
            let removed = set.removeIfAllPresent(id..<(id + 1))
            #expect(removed)
            left -= 1
            #expect(set.count == left)
            #expect(set.bitmapBlockCount == (left < IdSet.toRuns ? 0 : 1), "\(left) ids left")
        }
        #expect(set.isEmpty)
        #expect(set.storedUnits == 0)
    }

    @Test func nearlyEmptyBitmapGoesBackToRanges() {
        var set = IdSet()
        for id in stride(from: 0, to: 64, by: 2) { set.insert(id..<(id + 1)) }
        // Insertions never fragment into a bitmap; a removal that leaves many ranges does.
        set.remove(62..<63)
        #expect(set.bitmapBlockCount == 1)
        set.remove(0..<60)
        #expect(set.bitmapBlockCount == 0)
        #expect(set.intervalSet.ranges == [60..<61])
        #expect(set.count == 1)
    }

    @Test func bitmapWordAndBlockEdges() {
        var (set, model, base) = fullBlock(3)
        for offset in [0, 63, 64, 65, 127, 128, 1000, 4031, 4032, 4094, 4095, 10, 20, 30, 40, 50, 70, 80, 200, 300, 400, 500, 600] {
            set.remove((base + offset)..<(base + offset + 1))
            model.remove((base + offset)..<(base + offset + 1))
        }
        #expect(set.bitmapBlockCount == 1)
        let probes = [0, 63, 64, 65, 127, 128, 4094, 4095].map { (base + $0)..<(base + $0 + 1) }
            + [base..<(base + 4096), (base - 5)..<(base + 2), (base + 4090)..<(base + 4200), (base + 62)..<(base + 66)]
        expectSame(set, model, probes: probes)
    }

    @Test func hugeRunsStayRanges() {
        var set = IdSet()
        let top = RangeList.idLimit
        set.insert(0..<(top / 2))
        set.insert((top - 10)..<top)
        #expect(set.count == top / 2 + 10)
        #expect(set.firstMissing(in: 0..<top) == top / 2)
        #expect(set.firstPresent(in: (top / 2)..<top) == top - 10)
        set.remove((top - 1)..<top)
        #expect(set.firstMissing(in: (top - 10)..<top) == top - 1)
        #expect(set.bitmapBlockCount == 0)
    }

    @Test func randomOperationsMatchIntervalSet() {
        var random = SplitMix(seed: 42)
        for round in 0..<60 {
            var set = IdSet()
            var model = IntervalSet()
            let span = [300, 5000, 20_000][round % 3]
            for step in 0..<600 {
                let start = Int(random.next() % UInt64(span))
                let length = random.next() % 4 == 0 ? Int(random.next() % 300) + 1 : 1
                let range = start..<(start + length)
                switch random.next() % 4 {
                case 0:
                    set.insert(range)
                    model.insert(range)
                case 1:
                    // An eviction: all or nothing.
                    let allPresent = model.firstMissing(in: range) == nil
                    #expect(set.removeIfAllPresent(range) == allPresent)
                    if allPresent { model.remove(range) }
                default:
                    #expect(set.remove(range) == model.remove(range))
                }
                if step % 50 == 0 {
                    let probeStart = Int(random.next() % UInt64(span))
                    expectSame(set, model, probes: [probeStart..<(probeStart + 1), probeStart..<(probeStart + 700)], "round \(round)")
                }
            }
            expectSame(set, model, probes: [0..<(span + 400)], "round \(round)")
        }
    }
}

/// A small deterministic generator for the tests of this file.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
