import DepTrace
import Foundation
import Testing

/// The file-system helpers that replace Foundation's full library in the
/// tool: folder walks, whole-file writes, folder creation, and printf.
@Suite final class FileSystemTests {
    /// The folders this test made, removed when it ends (Swift Testing makes
    /// one instance per test and releases it afterwards).
    private var scratchFolders: [String] = []

    deinit {
        for path in scratchFolders { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A fresh empty folder under the temporary directory.
    private func scratchFolder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deptrace-fs-\(UUID().uuidString)-\(name)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        scratchFolders.append(path)
        return path
    }

    @Test func folderWalkListsNestedFilesSortedWithoutFollowingFolderLinks() throws {
        let root = try scratchFolder("walk")
        try FileSystem.createFolders(root + "/b/deep/er")
        try FileSystem.createFolders(root + "/a")
        for file in ["b/deep/er/2.dtrace", "b/1.dtrace.jsonl", "a/z.dtrace.jsonl", "top.dtrace", "notes.txt"] {
            try FileSystem.write(Array("x".utf8), to: root + "/" + file)
        }
        let outside = try scratchFolder("walk-outside")
        try FileSystem.write(Array("x".utf8), to: outside + "/linked.dtrace")
        try FileManager.default.createSymbolicLink(atPath: root + "/folder-link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/file-link.dtrace", withDestinationPath: root + "/top.dtrace")
        try FileManager.default.createSymbolicLink(atPath: root + "/broken.dtrace", withDestinationPath: root + "/missing")
        try FileSystem.createFolders(root + "/folder.dtrace")

        let found = FolderWalk.files(under: root + "/") { $0.hasSuffix(".dtrace") || $0.hasSuffix(".dtrace.jsonl") }
        #expect(found == ["a/z.dtrace.jsonl", "b/1.dtrace.jsonl", "b/deep/er/2.dtrace", "file-link.dtrace", "top.dtrace"])

        let inputs = try TraceInput.expand([root]).map(\.displayName)
        #expect(inputs == found.map { root + "/" + $0 })
    }

    /// A name that is not UTF-8 has no String that opens the file again: the
    /// walk leaves it out rather than list a path that does not exist.
    @Test func folderWalkLeavesOutNamesThatAreNotUTF8() throws {
        let root = try scratchFolder("names")
        try FileSystem.write(Array("x".utf8), to: root + "/good.dtrace.jsonl")
        let bad: [CChar] = Array((root + "/bad").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF)] + Array(".dtrace.jsonl".utf8CString)
        let descriptor = bad.withUnsafeBufferPointer { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        try #require(descriptor >= 0)
        close(descriptor)
        #expect(FolderWalk.files(under: root) { _ in true } == ["good.dtrace.jsonl"])
    }

    @Test func folderWalkOfAMissingOrUnreadableFolderIsEmpty() {
        #expect(FolderWalk.files(under: "/nonexistent-deptrace-folder") { _ in true }.isEmpty)
    }

    @Test func writeCreateAndRemove() throws {
        let root = try scratchFolder("write")
        try FileSystem.createFolders(root + "/x/y")
        try FileSystem.createFolders(root + "/x/y")  // exists already: no error
        let path = root + "/x/y/file.txt"
        try FileSystem.write(Array("first, longer".utf8), to: path)
        try FileSystem.write(Array("second".utf8), to: path)  // truncates
        #expect(FileManager.default.contents(atPath: path) == Data("second".utf8))
        #expect(FileStatus(path: path)?.size == 6)
        #expect(FileStatus(path: path)?.kind == .regularFile)
        #expect(FileStatus(path: root + "/x")?.isDirectory == true)

        try FileSystem.removeFile(path)
        #expect(FileStatus(path: path) == nil)
        try FileSystem.removeFile(path)  // gone already: no error

        let error = #expect(throws: InputError.self) { try FileSystem.write([1], to: root + "/no/such/folder/file") }
        #expect(error?.description.hasPrefix(root + "/no/such/folder/file: cannot open: ") == true)
        try FileSystem.write([1], to: root + "/plain")
        let notFolder = #expect(throws: InputError.self) { try FileSystem.createFolders(root + "/plain") }
        #expect(notFolder?.description == root + "/plain: write failed: it is a file, not a folder")
    }

    @Test func sameFileThroughDifferentPaths() throws {
        let root = try scratchFolder("same")
        try FileSystem.write([1], to: root + "/a")
        try FileSystem.write([1], to: root + "/b")
        let a = try #require(FileStatus(path: root + "/a"))
        #expect(a.isSameFile(as: try #require(FileStatus(path: root + "/./a"))))
        #expect(a.isSameFile(as: try #require(FileStatus(path: root + "//a"))))
        #expect(!a.isSameFile(as: try #require(FileStatus(path: root + "/b"))))
    }

    @Test func printfRoundsTheBinaryValueHalfToEven() {
        #expect(PrintfFormat.string("%.2f", 0.125) == "0.12")
        #expect(PrintfFormat.string("%.2f", 0.375) == "0.38")
        #expect(PrintfFormat.string("%.2f", 2.675) == "2.67")  // 2.67499999... in binary
        #expect(PrintfFormat.string("%.2e", 1234567.0) == "1.23e+06")
        #expect(PrintfFormat.string("%.3f", -0.5) == "-0.500")
        // Longer than the first buffer: 1e80 has 81 digits before the point.
        #expect(PrintfFormat.string("%.3f", 1e80) == String(format: "%.3f", 1e80))
        #expect(PrintfFormat.string("%.3f", 1e80).count == 85)
    }
}
