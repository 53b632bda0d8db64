/// A libxml2 call failed; `message` is libxml2's own explanation when it gave one.
public struct XMLError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What DepTrace was doing, such as `xmlTextWriterStartElement`.
    public var operation: String
    /// libxml2's message (from `xmlGetLastError`), or a fallback.
    public var message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "XML \(operation) failed: \(message)" }
}
