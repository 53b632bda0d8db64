#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One number formatted by the C library's `printf`, which rounds the exact
/// binary value half to even, as Python's `format` and pandas do.
public enum PrintfFormat {
    /// `value` formatted by `format`, a printf format with one floating-point
    /// conversion (`"%.2f"`, `"%.2e"`).
    public static func string(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        while true {
            let needed = withVaList([value]) { arguments in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
            }
            guard needed >= 0 else { return "\(value)" }
            if Int(needed) < buffer.count {
                return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            }
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        }
    }
}
