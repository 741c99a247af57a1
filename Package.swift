// swift-tools-version:6.0
// kallsyms-lab: a laboratory for the Linux kernel's compressed symbol table.
// The root package depends on the Swift toolchain alone; benchmarks live in Benchmarks/.
import PackageDescription

let package = Package(
    name: "kallsyms-lab",
    products: [
        .executable(name: "kallsyms-lab", targets: ["kallsyms-lab"]),
        .library(name: "Compressor", targets: ["Compressor"]),
    ],
    targets: [
        .target(name: "Compressor"),
        .target(name: "KallsymsLabCommand", dependencies: ["Compressor"]),
        .executableTarget(name: "kallsyms-lab", dependencies: ["KallsymsLabCommand"]),
        .target(name: "TestSupport", dependencies: ["Compressor"], path: "Tests/TestSupport"),
        .testTarget(name: "CompressorTests", dependencies: ["Compressor", "TestSupport"]),
        .testTarget(name: "CommandLineTests", dependencies: ["KallsymsLabCommand", "Compressor", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
