/// Percentile bootstrap intervals drawn with the project's seeded generator,
/// so the same seed gives the same interval on every platform.
public enum Bootstrap {
    /// Resamples used when a caller does not choose (docs/METRICS.md: 10,000).
    public static let defaultResamples = 10_000

    /// The 95% percentile-bootstrap interval of the mean of `values`.
    ///
    /// Each resample draws `values.count` indices with replacement; the interval
    /// is the 2.5% and 97.5% quantiles of the resampled means.
    /// - Parameters:
    ///   - values: the sample; fewer than two values give a zero-width interval.
    ///   - resamples: how many resamples to draw.
    ///   - random: the generator, advanced by `resamples × values.count` draws.
    /// - Returns: the low and high ends.
    /// - Complexity: O(`resamples` × `values.count`).
    public static func meanInterval(_ values: [Double], resamples: Int = defaultResamples, using random: inout SeededRandom) -> (low: Double, high: Double) {
        guard values.count > 1 else { return (values.first ?? 0, values.first ?? 0) }
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in 0..<values.count { sum += values[random.index(below: values.count)] }
            means.append(sum / Double(values.count))
        }
        return percentile95(&means)
    }

    /// The 95% percentile-bootstrap interval of `statistic` over paired samples.
    ///
    /// Each resample draws `count` indices with replacement and hands them to
    /// `statistic`; resamples whose statistic is not finite are left out.
    /// - Parameters:
    ///   - count: the number of paired samples.
    ///   - resamples: how many resamples to draw.
    ///   - random: the generator.
    ///   - statistic: the statistic of the samples at the given indices.
    /// - Returns: the low and high ends, or nil when no resample gave a finite value.
    public static func interval(
        count: Int, resamples: Int = defaultResamples, using random: inout SeededRandom, statistic: ([Int]) -> Double
    ) -> (low: Double, high: Double)? {
        guard count > 0 else { return nil }
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var indices = [Int](repeating: 0, count: count)
        for _ in 0..<resamples {
            for position in 0..<count { indices[position] = random.index(below: count) }
            let value = statistic(indices)
            if value.isFinite { values.append(value) }
        }
        guard !values.isEmpty else { return nil }
        return percentile95(&values)
    }

    private static func percentile95(_ values: inout [Double]) -> (low: Double, high: Double) {
        values.sort()
        return (Statistics.quantile(sorted: values, 0.025) ?? 0, Statistics.quantile(sorted: values, 0.975) ?? 0)
    }
}
