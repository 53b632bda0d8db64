/// Why an export could not be written: a message a user can act on.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
