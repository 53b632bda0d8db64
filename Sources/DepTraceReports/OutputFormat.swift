/// The formats results can be printed in.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// An aligned table for a terminal.
    case table
    /// RFC 4180 CSV with a header row.
    case csv
    /// One JSON document.
    case json
}
