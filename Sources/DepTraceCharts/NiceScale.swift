/// A linear scale from data values to pixels, with "nice" ticks (1, 2 or 5 × 10^k).
public struct NiceScale: Sendable, Hashable {
    /// The data domain, widened to whole tick steps.
    public var lower: Double
    public var upper: Double
    public var step: Double
    /// The pixel range: `lower` maps to `start`, `upper` to `end`.
    public var start: Double
    public var end: Double

    /// A scale covering `minimum...maximum` with about `ticks` ticks.
    /// - Parameter integral: steps are at least 1 (counts, steps, tokens).
    public init(minimum: Double, maximum: Double, ticks: Int = 6, integral: Bool = false, pixels: ClosedRange<Double>, reversed: Bool = false) {
        var low = minimum, high = maximum
        if !(high > low) { high = low + (integral ? 1 : 1) }
        var step = Self.niceStep((high - low) / Double(max(1, ticks)))
        if integral { step = max(step, 1) }
        self.step = step
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
        if upper <= lower { upper = lower + step }
        low = lower
        _ = low
        start = reversed ? pixels.upperBound : pixels.lowerBound
        end = reversed ? pixels.lowerBound : pixels.upperBound
    }

    /// The 1-2-5 step nearest above `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let normalised = raw / magnitude
        let nice: Double = normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// The pixel position of `value`.
    public func position(_ value: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// Tick values from `lower` to `upper`, each computed from its index (no drift).
    public var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }
}
