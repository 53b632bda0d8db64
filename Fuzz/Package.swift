// swift-tools-version: 6.0
import PackageDescription

// libFuzzer targets for DepTrace, kept out of the main package so that
// `swift build` and `swift test` there never need them. Build and run them with
// `bash .ci/fuzz` (see docs/RELIABILITY.md); by hand:
//
//     swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
//     .build/release/FuzzJSONL -dict=dictionary.txt CORPUS_DIR
//
// (SwiftPM's two --sanitize flags alone reach each compile in no fixed order and
// only the last counts; the -Xswiftc flag, which comes after them, holds both.)
let package = Package(
    name: "DepTraceFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        // Named, since a path dependency is otherwise known by its folder name, which differs between clones.
        .package(name: "DepTrace", path: ".."),
    ],
    targets: [
        // In-memory inputs, the conversion round trip, the observers' checks and the invariants the targets share.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "DepTrace", package: "DepTrace"), .product(name: "DepTraceCharts", package: "DepTrace")]
        ),
        // JSON Lines bytes through InputAnalyzer and the metrics engine.
        .executableTarget(name: "FuzzJSONL", dependencies: ["FuzzSupport", .product(name: "DepTrace", package: "DepTrace")]),
        // Binary bytes through InputAnalyzer and the metrics engine.
        .executableTarget(name: "FuzzBinary", dependencies: ["FuzzSupport", .product(name: "DepTrace", package: "DepTrace")]),
        // Archive and compressed-file bytes through libarchive into the readers.
        .executableTarget(
            name: "FuzzArchive",
            dependencies: [
                "FuzzSupport", .product(name: "DepTrace", package: "DepTrace"),
                .product(name: "DepTraceArchive", package: "DepTrace"),
            ]
        ),
        // Hostile metadata strings through the trace writer, SVG charts, CSV, LaTeX and Markdown.
        .executableTarget(
            name: "FuzzWriters",
            dependencies: [
                "FuzzSupport", .product(name: "DepTrace", package: "DepTrace"),
                .product(name: "DepTraceCharts", package: "DepTrace"),
                .product(name: "DepTraceReports", package: "DepTrace"),
                .product(name: "DepTraceXML", package: "DepTrace"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
