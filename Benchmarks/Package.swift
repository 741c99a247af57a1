// swift-tools-version:6.1
// Benchmarks of kallsyms-lab's compression core, in their own package so that the library
// stays dependency-free (the layout of swift-nio's Benchmarks/).
//   cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "kallsyms-lab-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "kallsyms-lab", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CompressorBenchmarks",
            dependencies: [
                .product(name: "Compressor", package: "kallsyms-lab"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CompressorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
