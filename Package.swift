// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tsunagari",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tsunagari", targets: ["tsunagari"]),
        .library(name: "TsunagariCore", targets: ["TsunagariCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The local preview server of `tsunagari serve`: small, async, no SwiftNIO to build.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // Test oracle only: our compiled renderer must produce the same bytes.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // C libraries from Debian packages (libcmark-dev, libyaml-dev), found through pkg-config.
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark",
                       providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        // The command line's memory allocator (Debian's libjemalloc-dev): a build makes and frees
        // millions of small objects on every core, and glibc's malloc cost a tenth of its CPU
        // time (BENCHMARKS.md). Linked into the executable only; the library leaves the choice
        // to the program that uses it.
        .systemLibrary(name: "CJemalloc", pkgConfig: "jemalloc",
                       providers: [.apt(["libjemalloc-dev"])]),
        // Each C library is wrapped once; nothing else sees a C type.
        .target(name: "TsunagariYAML", dependencies: ["CYAML"]),
        .target(name: "TsunagariMarkdown", dependencies: ["CCmark"]),
        .target(name: "TsunagariTemplates"),
        .target(name: "TsunagariCore",
                dependencies: ["TsunagariYAML", "TsunagariMarkdown", "TsunagariTemplates"]),
        .executableTarget(name: "tsunagari",
                          dependencies: ["TsunagariCore",
                                         .target(name: "CJemalloc", condition: .when(platforms: [.linux])),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "FlyingFox", package: "FlyingFox")]),
        // Helpers the test targets share (a seeded generator); in no product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TsunagariYAMLTests", dependencies: ["TsunagariYAML", "TestSupport"]),
        .testTarget(name: "TsunagariMarkdownTests", dependencies: ["TsunagariMarkdown", "TestSupport"]),
        .testTarget(name: "TsunagariTemplatesTests",
                    dependencies: ["TsunagariTemplates", "TestSupport", .product(name: "Mustache", package: "swift-mustache")]),
        .testTarget(name: "TsunagariCoreTests",
                    dependencies: ["TsunagariCore", "TsunagariTemplates",
                                   .product(name: "Mustache", package: "swift-mustache")],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
