#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DepTraceReports

/// The width terminal tables are fitted to.
///
/// Only a terminal shortens a table: a file, a pipe or a CI log gets every
/// character. On a terminal `COLUMNS`, when it holds a positive number, wins
/// over the width the terminal reports (as `ls` and `git` read it).
enum TableWidth {
    /// The width for tables written to `output`: `Int.max` when it is not a terminal.
    static func of(_ output: TextOutput, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        guard output.isTerminal else { return Int.max }
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return output.terminalWidth
    }
}
