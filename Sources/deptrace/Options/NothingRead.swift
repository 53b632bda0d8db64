import DepTrace

/// The error of a run that read no trace: what was searched, and the first
/// files skipped there, so a folder of misnamed or foreign files is never
/// reported as a success.
enum NothingRead {
    static func diagnostic(paths: [String]) -> Diagnostic {
        // Searched again only now, when nothing was read: the walk is cheap beside a failed run.
        let search = TraceInput.search(paths)
        var message = "no trace read"
        if !search.folders.isEmpty {
            let skipped = search.skipped
            if skipped.isEmpty {
                message += "; the folder\(search.folders.count == 1 ? " holds" : "s hold") no file"
            } else {
                let named = skipped.prefix(3).joined(separator: ", ")
                message += "; \(skipped.count) file\(skipped.count == 1 ? "" : "s") skipped (neither a trace by name or first bytes, nor a bundle): \(named)\(skipped.count > 3 ? ", ..." : "")"
            }
        }
        let what = paths.count == 1 ? paths[0] : paths.prefix(3).joined(separator: " ") + (paths.count > 3 ? " ..." : "")
        return Diagnostic(.error, file: what, message: message)
    }
}
