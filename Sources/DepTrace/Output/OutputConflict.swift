#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an output may not be written where it was asked: it is one of the
/// inputs (by device and inode, whatever path, link or hard link names it), or
/// it lies inside a folder being searched for inputs.
public enum OutputConflict {
    /// The reason writing `output` would destroy an input or be read as one,
    /// or nil when it is safe.
    ///
    /// - Parameters:
    ///   - inputs: the input files (already expanded from folders).
    ///   - folders: the folders searched for inputs.
    public static func reason(output: String, inputs: [String], folders: [String]) -> String? {
        if let target = FileStatus(path: output) {
            for input in inputs {
                if let status = FileStatus(path: input), status.isSameFile(as: target) {
                    return input == output ? "it is also an input" : "it is the same file as the input \(input)"
                }
            }
        }
        let parent = AtomicFile.split(output).folder
        guard let outputFolder = canonical(parent) else { return nil }
        for folder in folders {
            guard let searched = canonical(folder) else { continue }
            if outputFolder == searched || outputFolder.hasPrefix(searched == "/" ? "/" : searched + "/") {
                return "it lies inside \(folder), which is searched for inputs; write it elsewhere"
            }
        }
        return nil
    }

    /// The absolute path without links, `.` or `..`; nil when it does not resolve.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
