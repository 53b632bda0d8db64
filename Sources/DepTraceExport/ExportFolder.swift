import DepTrace

/// Writes an export's files into a folder.
public enum ExportFolder {
    /// Creates `path` when needed, writes `files` into it, and removes the
    /// files of `owned` that this export did not write, so a folder
    /// exported again never keeps a stale chart beside fresh ones. Other
    /// files (a README) are left alone.
    /// - Throws: ``ExportError`` naming the path that could not be written or removed.
    public static func write(_ files: [ExportFile], to path: String, owned: [String]) throws(ExportError) {
        let folder = path.hasSuffix("/") ? String(path.dropLast()) : path
        do {
            try FileSystem.createFolders(path)
            for file in files {
                try FileSystem.write(file.bytes, to: folder + "/" + file.name)
            }
            let written = Set(files.map(\.name))
            for name in owned where !written.contains(name) {
                try FileSystem.removeFile(folder + "/" + name)
            }
        } catch {
            throw ExportError(description: error.description)
        }
    }
}
