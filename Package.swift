// swift-tools-version:6.0
// kallsyms-lab: a laboratory for the Linux kernel's compressed symbol table.
// The root package depends on the Swift toolchain alone; benchmarks live in Benchmarks/.
import PackageDescription

/// Unsafe flags (the ones below) are for this repository's own development only. SwiftPM refuses
/// a dependency resolved by version whose library products carry unsafe flags, and a versioned
/// dependency is always a checkout at a version tag: so the library targets get these flags only
/// in a git checkout whose HEAD is not at a tag (a clone of `main`, a branch, a working copy).
/// At a release tag, and outside git (a registry download), the manifest has no unsafe flags on
/// any library target. `.ci/consumer-package` checks this by depending on a tagged clone.
let isDevelopmentCheckout = Context.gitInformation.map { $0.currentTag == nil } ?? false

/// Release builds compile against the static Swift runtime and Foundation (every module the
/// executables link, so that their module files agree), and link the executables statically
/// and without PIE: no dynamic loading, no start-up relocations. `kallsyms-lab --version`
/// takes 3 ms instead of 12.5 ms, which matters for a `compress` run of 35 ms (README,
/// "Performance"). The executable targets are in no library product, so they keep these flags
/// everywhere.
let staticInRelease: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
let staticLinkInRelease: [LinkerSetting] = [.unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie"], .when(configuration: .release))]
/// `kallsyms-lab` itself is linked as a static executable (glibc included): no dynamic loader
/// runs at all, which took about 1 ms of every run (`--version`: 1.8 → 0.85 ms, median of 200
/// alternated runs), 4 % of a `compress` of the armhf map. What static glibc cannot do without
/// its shared libraries (NSS lookups, `dlopen`) the command line does not use. The fuzz targets
/// keep `staticLinkInRelease` (the sanitizers need a dynamic executable), and so does
/// `kallsyms-lab-decode`, whose peak memory docs/images.md reports.
let staticExecutableInRelease: [LinkerSetting] = [.unsafeFlags(["-static-executable"], .when(configuration: .release))]

/// In a development checkout the libraries are optimized even in debug builds: the test suite
/// compresses and links thousands of symbol sets, and `swift test` takes about 3 minutes of
/// testing instead of about 20 unoptimized. `-assert-config Debug` keeps assertions and
/// preconditions checked as in a debug build. Elsewhere the libraries have no unsafe flags.
let optimizedEvenInDebug: [SwiftSetting] =
    isDevelopmentCheckout
    ? [.unsafeFlags(["-O", "-assert-config", "Debug"], .when(configuration: .debug))] + staticInRelease
    : []

let package = Package(
    name: "kallsyms-lab",
    products: [
        .executable(name: "kallsyms-lab", targets: ["kallsyms-lab"]),
        // `decode IMAGE` without Foundation: `kallsyms-lab decode IMAGE` hands over to it (docs/images.md).
        .executable(name: "kallsyms-lab-decode", targets: ["kallsyms-lab-decode"]),
        .library(name: "Compressor", targets: ["Compressor"]),
        .library(name: "Randomness", targets: ["Randomness"]),
        .library(name: "LinkModel", targets: ["LinkModel"]),
        .library(name: "Generators", targets: ["Generators"]),
        .library(name: "Harness", targets: ["Harness"]),
        .library(name: "FuzzLaws", targets: ["FuzzLaws"]),
        .library(name: "RealLink", targets: ["RealLink"]),
        .library(name: "Diagnostics", targets: ["Diagnostics"]),
        .library(name: "ImageReader", targets: ["ImageReader"]),
    ],
    targets: [
        // Dependencies point one way: Compressor ← LinkModel ← Generators ← Harness ← command line;
        // Randomness under the ones that draw (docs/design.md, "Modules").
        .target(name: "Compressor", swiftSettings: optimizedEvenInDebug),
        // The seeded generator and the uniform draws every random input is made with.
        .target(name: "Randomness", swiftSettings: optimizedEvenInDebug),
        .target(name: "LinkModel", dependencies: ["Compressor", "Randomness"], swiftSettings: optimizedEvenInDebug),
        .target(name: "Generators", dependencies: ["Compressor", "LinkModel", "Randomness"], swiftSettings: optimizedEvenInDebug),
        .target(
            name: "Harness", dependencies: ["Compressor", "LinkModel", "Generators", "RealLink", "Randomness", "FuzzLaws"], swiftSettings: optimizedEvenInDebug),
        // The laws the libFuzzer targets check: the compressor alone, so the targets link nothing else.
        .target(name: "FuzzLaws", dependencies: ["Compressor"], swiftSettings: optimizedEvenInDebug),
        // Real toolchains behind the link model (GNU binutils, LLD), run as processes.
        .target(name: "RealLink", dependencies: ["Compressor", "LinkModel"], swiftSettings: optimizedEvenInDebug),
        // explain and sensitivity: diagnostics on a developer's own maps.
        .target(name: "Diagnostics", dependencies: ["Compressor"], swiftSettings: optimizedEvenInDebug),
        // decode IMAGE and verify: kallsyms tables found in kernel images (issue 18).
        .target(name: "ImageReader", dependencies: ["Compressor"], swiftSettings: optimizedEvenInDebug),
        .target(
            name: "KallsymsLabCommand",
            dependencies: [
                "Compressor", "Randomness", "LinkModel", "Generators", "Harness", "Diagnostics", "RealLink", "ImageReader", "ImageCommand",
            ],
            swiftSettings: staticInRelease),
        .executableTarget(
            name: "kallsyms-lab", dependencies: ["KallsymsLabCommand"], swiftSettings: staticInRelease,
            linkerSettings: staticExecutableInRelease),
        // `decode IMAGE` as a command without Foundation: what `kallsyms-lab-decode` runs, and
        // what `kallsyms-lab` needs to hand over to it.
        .target(name: "ImageCommand", dependencies: ["Compressor", "ImageReader"], swiftSettings: staticInRelease),
        // No Foundation here or below (ImageCommand, ImageReader, Compressor): the memory `decode IMAGE` needs.
        .executableTarget(
            name: "kallsyms-lab-decode", dependencies: ["ImageCommand"],
            swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        // libFuzzer targets: built only by Fuzz/build.sh (see the README's "Fuzzing").
        .executableTarget(
            name: "FuzzRoundTrip", dependencies: ["FuzzLaws"],
            swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        .executableTarget(
            name: "FuzzDecode", dependencies: ["FuzzLaws"],
            swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        .executableTarget(
            name: "FuzzImage", dependencies: ["ImageReader"],
            swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),
        .executableTarget(
            name: "FuzzPassConvergence", dependencies: ["Harness", "FuzzLaws"],
            swiftSettings: staticInRelease, linkerSettings: staticLinkInRelease),

        .target(name: "TestSupport", dependencies: ["Compressor", "Randomness"], path: "Tests/TestSupport"),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "CompressorTests", dependencies: ["Randomness", "Compressor", "TestSupport"]),
        // The link model's tests build the named scenarios, which are generated layouts.
        .testTarget(name: "LinkModelTests", dependencies: ["Randomness", "LinkModel", "Generators", "Compressor", "TestSupport"]),
        .testTarget(name: "RealLinkTests", dependencies: ["Randomness", "RealLink", "Harness", "LinkModel", "Generators", "Compressor", "TestSupport"]),
        .testTarget(name: "GeneratorsTests", dependencies: ["Randomness", "Generators", "LinkModel", "Compressor", "TestSupport"]),
        .testTarget(name: "HarnessTests", dependencies: ["FuzzLaws", "Randomness", "Harness", "Generators", "LinkModel", "Compressor", "TestSupport"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Randomness", "Diagnostics", "Compressor", "TestSupport"]),
        .testTarget(name: "PropertyTests", dependencies: ["Randomness", "Harness", "Generators", "LinkModel", "Compressor", "TestSupport"]),
        .testTarget(
            name: "CommandLineTests", dependencies: ["Randomness", "KallsymsLabCommand", "Harness", "Compressor", "ImageReader", "ImageCommand", "TestSupport"]),
        .testTarget(name: "ImageReaderTests", dependencies: ["Randomness", "ImageReader", "Compressor", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
