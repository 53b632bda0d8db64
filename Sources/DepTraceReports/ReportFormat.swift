/// The formats of reports that also come as tables for papers: the three of
/// ``OutputFormat`` plus Markdown and LaTeX (booktabs).
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, csv, json, markdown, latex

    /// The matching ``OutputFormat``, nil for the paper formats.
    public var outputFormat: OutputFormat? { OutputFormat(rawValue: rawValue) }

    /// Whether this is Markdown or LaTeX.
    public var isPaperFormat: Bool { self == .markdown || self == .latex }
}
