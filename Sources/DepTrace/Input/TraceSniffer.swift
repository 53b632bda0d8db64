#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells a trace file by its first bytes, whatever its name.
public enum TraceSniffer {
    /// How many bytes are read to decide.
    public static let prefixLength = 4096

    /// Whether `bytes`, the start of a file, begin a trace: the binary magic,
    /// or a JSON object whose first line has a `"deptrace"` key.
    public static func startsWithTrace(_ bytes: some Collection<UInt8>) -> Bool {
        if bytes.starts(with: BinaryLayout.magic) { return true }
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        rest = rest.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard rest.first == UInt8(ascii: "{") else { return false }
        let line = rest.prefix { $0 != 0x0A }
        let key = Array("\"deptrace\"".utf8)
        var index = line.startIndex
        while index != line.endIndex {
            if line[index...].starts(with: key) {
                let after = line[index...].dropFirst(key.count).drop { $0 == 0x20 || $0 == 0x09 }
                if after.first == UInt8(ascii: ":") { return true }
            }
            index = line.index(after: index)
        }
        return false
    }

    /// Whether the regular file at `path` begins a trace. Anything else (a pipe,
    /// a device, a file that cannot be opened) is not opened for reading at all
    /// or gives false: a search never blocks on it.
    public static func startsWithTrace(path: String) -> Bool {
        guard let file = try? FileDescriptor(opening: path, flags: O_RDONLY | O_NONBLOCK), file.regularFileSize != nil else { return false }
        var buffer = [UInt8](repeating: 0, count: prefixLength)
        var filled = 0
        while filled < buffer.count {
            let count = (try? buffer.withUnsafeMutableBytes { bytes throws(InputError) in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]), at: filled)
            }) ?? 0
            guard count > 0 else { break }
            filled += count
        }
        return startsWithTrace(buffer[..<filled])
    }
}
