import Foundation

/// Writes an export's files into a folder.
public enum ExportFolder {
    /// Creates `path` when needed, writes `files` into it, and removes the
    /// files of `owned` that this export did not write, so a folder
    /// exported again never keeps a stale chart beside fresh ones. Other
    /// files (a README) are left alone.
    /// - Throws: ``ExportError`` naming the path that could not be written or removed.
    public static func write(_ files: [ExportFile], to path: String, owned: [String]) throws(ExportError) {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
            throw ExportError(description: "cannot write into \(path): it is a file, not a folder")
        }
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ExportError(description: "cannot create the folder \(path): \(error.localizedDescription)")
        }
        let folder = URL(fileURLWithPath: path, isDirectory: true)
        for file in files {
            let url = folder.appendingPathComponent(file.name)
            do {
                try Data(file.bytes).write(to: url)
            } catch {
                throw ExportError(description: "cannot write \(url.path): \(error.localizedDescription)")
            }
        }
        let written = Set(files.map(\.name))
        for name in owned where !written.contains(name) {
            let url = folder.appendingPathComponent(name)
            guard manager.fileExists(atPath: url.path) else { continue }
            do {
                try manager.removeItem(at: url)
            } catch {
                throw ExportError(description: "cannot remove the stale \(url.path): \(error.localizedDescription)")
            }
        }
    }
}
