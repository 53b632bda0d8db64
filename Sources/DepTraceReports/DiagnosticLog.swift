import DepTrace

/// Prints diagnostics as they arrive and counts them.
public final class DiagnosticLog {
    private let output: TextOutput
    private let showWarnings: Bool
    private let progress: ProgressReporter?
    public private(set) var errors = 0
    public private(set) var warnings = 0

    /// - Parameters:
    ///   - output: where diagnostics go (standard error for analysing commands).
    ///   - showWarnings: whether warnings are printed (they are always counted).
    ///   - progress: a progress line to clear before printing.
    public init(output: TextOutput = .standardError, showWarnings: Bool = true, progress: ProgressReporter? = nil) {
        self.output = output
        self.showWarnings = showWarnings
        self.progress = progress
    }

    public func report(_ diagnostic: Diagnostic) {
        switch diagnostic.severity {
        case .error: errors += 1
        case .warning:
            warnings += 1
            guard showWarnings else { return }
        }
        progress?.finish()
        // File names, samples and messages quote trace data: never raw control characters on a terminal or in a log.
        output.write(TextEscaping.terminal(diagnostic.description) + "\n")
        output.flush()
    }

    /// Whether any error was reported.
    public var hasErrors: Bool { errors > 0 }
}
