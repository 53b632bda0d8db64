#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Lists the files below a folder, as `find` would: recursively, without
/// following links to folders, unreadable folders skipped.
public enum FolderWalk {
    /// The paths, relative to `folder` and sorted, of the files below it whose
    /// relative path `include` accepts. Links to files count as files; broken
    /// links and links to folders are left out.
    public static func files(under folder: String, where include: (String) -> Bool) -> [String] {
        let base = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
        var found: [String] = []
        var pending = [""]
        while let relativeFolder = pending.popLast() {
            let absoluteFolder = relativeFolder.isEmpty ? base : base + "/" + relativeFolder
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: absoluteFolder) else { continue }
            for name in names {
                let relative = relativeFolder.isEmpty ? name : relativeFolder + "/" + name
                let full = base + "/" + relative
                guard let own = FileStatus(path: full, followingLinks: false) else { continue }
                if own.isDirectory {
                    pending.append(relative)
                } else if include(relative), let target = FileStatus(path: full), !target.isDirectory {
                    found.append(relative)
                }
            }
        }
        return found.sorted()
    }
}
