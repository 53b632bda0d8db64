/// A metric bound that cannot be read, with the text and why.
public struct MetricBoundError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    public var reason: String

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String { "'\(text)': \(reason)" }
}
