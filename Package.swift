// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "DepTrace",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DepTrace", targets: ["DepTrace"]),
        .library(name: "DepTraceReports", targets: ["DepTraceReports"]),
        .library(name: "DepTraceCharts", targets: ["DepTraceCharts"]),
        .library(name: "DepTraceExport", targets: ["DepTraceExport"]),
        // For the fuzz targets in Fuzz/, a package of their own that reaches these through products.
        .library(name: "DepTraceArchive", targets: ["DepTraceArchive"]),
        .library(name: "DepTraceXML", targets: ["DepTraceXML"]),
        .executable(name: "deptrace", targets: ["deptrace"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The core: trace model, readers, writers, metrics. No C dependency, no CLI.
        .target(name: "DepTrace"),
        // Tables, CSV and JSON renderings of the core's results.
        .target(name: "DepTraceReports", dependencies: ["DepTrace"]),
        // libxml2, found through pkg-config; only DepTraceXML imports it.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        // Owns libxml2's text writer and parser: the only module that touches the C API.
        .target(name: "DepTraceXML", dependencies: ["CLibXML2"]),
        // libarchive, found through pkg-config; only DepTraceArchive imports it.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),
        // CRC-32C with SSE4.2's crc32 instruction, chosen at run time; the CLI installs it into the core.
        .target(name: "CCRC32C"),
        // Reads (and writes) trace bundles and compressed traces in place through libarchive.
        .target(name: "DepTraceArchive", dependencies: ["DepTrace", "CArchive"]),
        // Chart layout (pure Swift) and its SVG rendering through DepTraceXML.
        .target(name: "DepTraceCharts", dependencies: ["DepTrace", "DepTraceXML"]),
        // JUnit XML for `deptrace check`, written through DepTraceXML.
        .target(name: "DepTraceJUnit", dependencies: ["DepTrace", "DepTraceXML"]),
        // Folders for offline study (CSV, SVG, a Jupyter notebook) and Perfetto trace-event JSON.
        .target(name: "DepTraceExport", dependencies: ["DepTrace", "DepTraceReports", "DepTraceCharts"]),
        // The command-line tool: parses arguments and calls the libraries.
        .executableTarget(
            name: "deptrace",
            dependencies: [
                "DepTrace", "DepTraceReports", "DepTraceCharts", "DepTraceArchive", "DepTraceJUnit", "DepTraceExport", "CCRC32C",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixtures, the random trace generator and the golden-file helper for tests.
        .target(name: "_DepTraceTestSupport", dependencies: ["DepTrace"]),
        .testTarget(name: "DepTraceTests", dependencies: ["DepTrace", "_DepTraceTestSupport", "CCRC32C"], exclude: ["FuzzRegressions"]),
        .testTarget(name: "DepTraceReportsTests", dependencies: ["DepTraceReports", "_DepTraceTestSupport"], exclude: ["FuzzRegressions"]),
        .testTarget(
            name: "DepTraceChartsTests",
            dependencies: ["DepTraceCharts", "DepTraceXML", "DepTrace", "_DepTraceTestSupport"],
            exclude: ["Snapshots", "FuzzRegressions"]
        ),
        .testTarget(name: "DepTraceArchiveTests", dependencies: ["DepTraceArchive", "DepTrace", "_DepTraceTestSupport"], exclude: ["FuzzRegressions"]),
        .testTarget(name: "DepTraceJUnitTests", dependencies: ["DepTraceJUnit", "DepTraceXML", "DepTrace"]),
        .testTarget(
            name: "DepTraceExportTests",
            dependencies: ["DepTraceExport", "DepTraceCharts", "DepTraceReports", "DepTrace", "_DepTraceTestSupport"],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "deptraceCLITests",
            dependencies: ["DepTrace", "_DepTraceTestSupport"],
            exclude: ["Snapshots"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
