/// Fixed number formatting: the same value always gives the same characters,
/// whatever the locale.
public enum NumberFormat {
    /// `value` with at most `decimals` decimals, trailing zeros dropped: `12.5`, `3`, `-0.25`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9e15 else { return String(Int(value.rounded())) }
        var units = Int(scaled)
        let negative = units < 0
        units = abs(units)
        let factor = Int(scale)
        let whole = units / factor
        var fraction = units % factor
        var text = String(whole)
        if fraction != 0 {
            var digits = decimals
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return negative && (whole != 0 || fraction != 0) ? "-" + text : text
    }

    /// A coordinate in SVG user units: one decimal.
    public static func coordinate(_ value: Double) -> String { fixed(value, decimals: 1) }

    /// An axis label with an SI suffix: `950`, `1.2k`, `1.5M`, `0.25`.
    public static func si(_ value: Double) -> String {
        let magnitude = abs(value)
        for (limit, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= limit {
            return fixed(value / limit, decimals: 2) + suffix
        }
        return fixed(value, decimals: magnitude >= 10 ? 1 : 3)
    }

    /// A value shown exactly: an integer without decimals, else the shortest
    /// decimal that reads back as the same `Double`.
    public static func exact(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 9e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// A share (0...1) as a percentage with two decimals kept, as every
    /// command prints accuracy: `66.67%`, `100.00%`.
    public static func percent(_ share: Double) -> String {
        let text = fixed(share * 100, decimals: 2)
        guard let dot = text.firstIndex(of: ".") else { return text + ".00%" }
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        return text + String(repeating: "0", count: Swift.max(0, 2 - decimals)) + "%"
    }
}
