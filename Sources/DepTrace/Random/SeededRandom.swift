/// The project's seeded generator (SplitMix64), with draws defined here rather
/// than by the standard library, so a seed gives the same simulated traces,
/// bootstrap intervals and test cases on every platform and Swift version.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one purpose of one sample: independent streams from one seed.
    public init(seed: UInt64, _ keys: UInt64...) {
        state = Self.hash(seed, keys)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.finalize(state)
    }

    /// A uniform integer in `range` (multiply-high; its bias below 2⁻³² is irrelevant here).
    public mutating func uniform(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        if width == 0 { return Int(bitPattern: UInt(next())) }
        return range.lowerBound + Int(width.multipliedFullWidth(by: next()).high)
    }

    /// A uniform double in `[0, 1)`.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform index in `0..<count` (`count` > 0).
    public mutating func index(below count: Int) -> Int {
        Int(UInt64(count).multipliedFullWidth(by: next()).high)
    }

    /// A fixed hash of a seed and keys: the same inputs give the same value everywhere.
    public static func hash(_ seed: UInt64, _ keys: [UInt64]) -> UInt64 {
        var value = finalize(seed &+ 0x9E37_79B9_7F4A_7C15)
        for key in keys { value = finalize(value ^ finalize(key &+ 0x632B_E59B_D9B4_E019)) }
        return value
    }

    private static func finalize(_ input: UInt64) -> UInt64 {
        var z = input
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
