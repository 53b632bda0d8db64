/// One value of a metric or metadata column, typed for faithful output.
public enum MetricValue: Sendable, Hashable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case null

    /// `numerator / denominator`: an integer when it divides exactly, else the
    /// correctly rounded `Double` of the exact quotient (numerator below 2^53).
    public static func quotient(_ numerator: Int, _ denominator: Int) -> MetricValue {
        guard denominator != 0 else { return .null }
        if numerator % denominator == 0 { return .int(numerator / denominator) }
        return .double(Double(numerator) / Double(denominator))
    }

    /// The value as a `Double` when it is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
