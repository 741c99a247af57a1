// swift-tools-version:6.0
// kallsyms-lab: a laboratory for the Linux kernel's compressed symbol table.
// The root package depends on the Swift toolchain alone; benchmarks live in Benchmarks/.
import PackageDescription

/// Release builds compile against the static Swift runtime and Foundation (every module the
/// executables link, so that their module files agree), and link the executables statically
/// and without PIE: no dynamic loading, no start-up relocations. `kallsyms-lab --version`
/// takes 3 ms instead of 12.5 ms, which matters for a `compress` run of 35 ms (README,
/// "Performance").
let staticInRelease: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
let staticLinkInRelease: [LinkerSetting] = [.unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie"], .when(configuration: .release))]

/// The libraries are optimized even in debug builds: the test suite compresses and links
/// thousands of symbol sets. `-assert-config Debug` keeps assertions and preconditions checked
/// as in a debug build.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O", "-assert-config", "Debug"], .when(configuration: .debug))] + staticInRelease

let package = Package(
    name: "kallsyms-lab",
    products: [
        .executable(name: "kallsyms-lab", targets: ["kallsyms-lab"]),
        .library(name: "Compressor", targets: ["Compressor"]),
        .library(name: "LinkModel", targets: ["LinkModel"]),
        .library(name: "Generators", targets: ["Generators"]),
        .library(name: "Harness", targets: ["Harness"]),
        .library(name: "RealLink", targets: ["RealLink"]),
        .library(name: "Diagnostics", targets: ["Diagnostics"]),
        .library(name: "ImageReader", targets: ["ImageReader"]),
    ],
    targets: [
        // Dependencies point one way: Compressor ← LinkModel ← Generators ← Harness ← command line.
        .target(name: "Compressor", swiftSettings: optimizedEvenInDebug),
        .target(name: "LinkModel", dependencies: ["Compressor"], swiftSettings: optimizedEvenInDebug),
        .target(name: "Generators", dependencies: ["Compressor", "LinkModel"], swiftSettings: optimizedEvenInDebug),
        .target(name: "Harness", dependencies: ["Compressor", "LinkModel", "Generators", "RealLink"], swiftSettings: optimizedEvenInDebug),
        // Real toolchains behind the link model (GNU binutils, LLD), run as processes.
        .target(name: "RealLink", dependencies: ["Compressor", "LinkModel"], swiftSettings: optimizedEvenInDebug),
        // explain and sensitivity: diagnostics on a developer's own maps.
        .target(name: "Diagnostics", dependencies: ["Compressor"], swiftSettings: optimizedEvenInDebug),
        // decode IMAGE and verify: kallsyms tables found in kernel images (issue 18).
        .target(name: "ImageReader", dependencies: ["Compressor"], swiftSettings: optimizedEvenInDebug),
        .target(name: "KallsymsLabCommand",
                dependencies: ["Compressor", "LinkModel", "Generators", "Harness", "Diagnostics", "RealLink", "ImageReader"],
                swiftSettings: staticInRelease),
        .executableTarget(name: "kallsyms-lab", dependencies: ["KallsymsLabCommand"], swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        // libFuzzer targets: built only by Fuzz/build.sh (see the README's "Fuzzing").
        .executableTarget(name: "FuzzRoundTrip", dependencies: ["Harness"],
                          swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        .executableTarget(name: "FuzzDecode", dependencies: ["Harness"],
                          swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        .executableTarget(name: "FuzzImage", dependencies: ["ImageReader"],
                          swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        .executableTarget(name: "FuzzPassConvergence", dependencies: ["Harness"],
                          swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),

        .target(name: "TestSupport", dependencies: ["Compressor"], path: "Tests/TestSupport"),
        .testTarget(name: "CompressorTests", dependencies: ["Compressor", "TestSupport"]),
        .testTarget(name: "LinkModelTests", dependencies: ["LinkModel", "Compressor", "TestSupport"]),
        .testTarget(name: "RealLinkTests", dependencies: ["RealLink", "Harness", "LinkModel", "Generators", "Compressor", "TestSupport"]),
        .testTarget(name: "GeneratorsTests", dependencies: ["Generators", "LinkModel", "Compressor", "TestSupport"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "Generators", "LinkModel", "Compressor", "TestSupport"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "Compressor", "TestSupport"]),
        .testTarget(name: "PropertyTests", dependencies: ["Harness", "Generators", "LinkModel", "Compressor", "TestSupport"]),
        .testTarget(name: "CommandLineTests", dependencies: ["KallsymsLabCommand", "Harness", "Compressor", "TestSupport"]),
        .testTarget(name: "ImageReaderTests", dependencies: ["ImageReader", "Compressor", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
