#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on standard error for long runs: traces done,
/// bytes read, and rate. Shown only on a terminal, never in pipes or CI.
public final class ProgressReporter {
    private let enabled: Bool
    private let started: Double
    private var lastDrawn = 0.0
    private var visible = false
    private var traces = 0
    private var completedBytes = 0
    private var currentBytes = 0

    /// - Parameter enabled: nil decides: a terminal on standard error, and neither `CI` nor `TERM=dumb` set.
    public init(enabled: Bool? = nil) {
        self.enabled = enabled ?? ProgressReporter.shouldShow()
        started = ProgressReporter.now()
        lastDrawn = started
    }

    /// Whether progress belongs on this standard error.
    public static func shouldShow() -> Bool {
        guard isatty(STDERR_FILENO) != 0 else { return false }
        if let ci = getenv("CI"), String(cString: ci) != "", String(cString: ci) != "false" { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Bytes read so far in the current input.
    public func bytesRead(_ bytes: Int) {
        currentBytes = bytes
        draw()
    }

    /// A trace finished.
    public func traceDone() {
        traces += 1
        draw()
    }

    /// An input finished after `bytes` bytes.
    public func inputDone(bytes: Int) {
        completedBytes += bytes
        currentBytes = 0
        draw()
    }

    private func draw() {
        guard enabled else { return }
        let time = ProgressReporter.now()
        // A second of silence before the first draw keeps short runs clean.
        guard time - lastDrawn >= 0.2, time - started >= 1 else { return }
        lastDrawn = time
        let bytes = completedBytes + currentBytes
        let rate = Double(bytes) / Swift.max(time - started, 1e-9)
        let text = "\r\u{1B}[K\(traces) traces, \(ProgressReporter.size(Double(bytes))), \(ProgressReporter.size(rate))/s"
        TextOutput.standardError.write(text)
        TextOutput.standardError.flush()
        visible = true
    }

    /// Clears the progress line.
    public func finish() {
        if visible {
            TextOutput.standardError.write("\r\u{1B}[K")
            TextOutput.standardError.flush()
        }
        visible = false
    }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = bytes
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return MetricFormatting.fixed(value, decimals: unit == 0 ? 0 : 1) + " " + units[unit]
    }
}
