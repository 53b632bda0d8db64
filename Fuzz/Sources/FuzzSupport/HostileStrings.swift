/// Strings cut from fuzz input: the bytes between `0xFF` bytes (which UTF-8
/// never holds), each decoded as UTF-8 with damaged sequences as U+FFFD.
public struct HostileStrings {
    public let strings: [String]

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let bytes = UnsafeBufferPointer(start: data, count: size)
        let pieces = bytes.split(separator: 0xFF, maxSplits: 31, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        strings = pieces.isEmpty ? [""] : pieces
    }

    /// The string at `index`, cycling when there are fewer.
    public subscript(_ index: Int) -> String { strings[index % strings.count] }

    public var count: Int { strings.count }
}
