import ArgumentParser
import DepTrace

/// Byte-size flags (`--max-line-length 256M`) are parsed once, by ArgumentParser,
/// and `--help` shows their defaults as they are written.
extension ByteSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }
}
