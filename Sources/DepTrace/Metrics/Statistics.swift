/// Summary statistics across traces, computed the way numpy and pandas do
/// by default, so users can check them in a notebook.
public enum Statistics {
    /// The arithmetic mean; nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        // Kahan summation keeps the mean of many large Dep values exact to the last bits.
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let y = value - compensation
            let t = sum + y
            compensation = (t - sum) - y
            sum = t
        }
        return sum / Double(values.count)
    }

    /// The `q`-quantile of already sorted values, interpolating linearly
    /// between the closest ranks (numpy's `linear` method, pandas' default).
    ///
    /// - Parameter q: in `[0, 1]`.
    public static func quantile(sorted values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let position = Double(values.count - 1) * q
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        if fraction == 0 || lower == upper { return values[lower] }
        return values[lower] + (values[upper] - values[lower]) * fraction
    }
}
