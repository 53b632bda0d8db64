import Glibc

/// Checks that fuzz targets make beyond "does not crash": a broken one aborts
/// the process, which libFuzzer reports as a crash and saves the input for.
public enum Invariant {
    /// Aborts with `message` on standard error when `condition` is false.
    public static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        fail(message())
    }

    /// Aborts with `message` on standard error.
    public static func fail(_ message: String) -> Never {
        let text = "fuzz invariant broken: \(message)\n"
        text.utf8CString.withUnsafeBufferPointer { buffer in
            _ = write(2, buffer.baseAddress, buffer.count - 1)
        }
        abort()
    }
}
