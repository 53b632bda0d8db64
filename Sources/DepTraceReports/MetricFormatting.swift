import DepTrace

/// How metric values are written in each output format.
public enum MetricFormatting {
    /// JSON: integers as integers, doubles shortest round-trip, null as `null`.
    public static func json(_ value: MetricValue) -> String {
        switch value {
        case .int(let number): String(number)
        case .double(let number): JSONEncoding.number(number)
        case .bool(let flag): flag ? "true" : "false"
        case .string(let text): JSONEncoding.string(text)
        case .null: "null"
        }
    }

    /// CSV: like JSON but strings unquoted (the CSV writer quotes), null and booleans as pandas reads them.
    public static func csv(_ value: MetricValue) -> String {
        switch value {
        case .int(let number): String(number)
        case .double(let number): number.isFinite ? "\(number)" : ""
        case .bool(let flag): flag ? "true" : "false"
        case .string(let text): text
        case .null: ""
        }
    }

    /// Terminal tables: integers as plain digits (grouped digits are hard to
    /// paste), fractions to `decimals` places so a column lines up; `-` for null.
    public static func table(_ value: MetricValue, decimals: Int = 2) -> String {
        switch value {
        case .int(let number): String(number)
        case .double(let number): fixed(number, decimals: decimals, trimmingZeros: false)
        case .bool(let flag): flag ? "yes" : "no"
        case .string(let text): text
        case .null: "-"
        }
    }

    /// `value` with `decimals` fraction digits; trailing zeros dropped unless `trimmingZeros` is false.
    public static func fixed(_ value: Double, decimals: Int, trimmingZeros: Bool = true) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return "\(value)" }
        var digits = String(UInt64(scaled))
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
            while trimmingZeros, digits.hasSuffix("0") { digits.removeLast() }
            if digits.hasSuffix(".") { digits.removeLast() }
        }
        return (value < 0 && scaled != 0 ? "-" : "") + digits
    }

    /// Accuracy as every report gives it: a share of correct traces in
    /// percent rounded to two decimals, as the papers print it (62.90).
    public static func accuracyPercent(_ share: Double?) -> Double? {
        guard let share, share.isFinite else { return nil }
        return (share * 10_000).rounded() / 100
    }

    /// An accuracy in percent with two decimals, no sign: `62.90`.
    public static func accuracyNumber(_ percent: Double) -> String {
        fixed(percent, decimals: 2, trimmingZeros: false)
    }

    /// An accuracy share for text: `62.90%`, or `-` when unknown.
    public static func accuracyText(_ share: Double?) -> String {
        accuracyPercent(share).map { accuracyNumber($0) + "%" } ?? "-"
    }
}
