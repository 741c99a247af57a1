import Benchmark
import Compressor

/// Benchmarks of every stage on the ARM-sized input, and of the compression core at 20 k,
/// 107 k and 250 k symbols. Names have no spaces so `--filter` and baselines stay simple.
let benchmarks: @Sendable () -> Void = {
    // Wall clock p50 may drift 15 % on a noisy shared machine before a check fails.
    let thresholds: [BenchmarkMetric: BenchmarkThresholds] = [
        .wallClock: .init(relative: [.p50: 15.0]),
        .mallocCountTotal: .init(relative: [.p50: 5.0]),
    ]
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 50,
        thresholds: thresholds)

    let armhf = Inputs.armhf

    Benchmark("Parse.armhf.v6_1") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Era.v6_1.parse(armhf)) }
    }
    Benchmark("Parse.armhf.v7_0") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Era.v7_0.parse(armhf)) }
    }

    let records = (try? Era.v6_1.parse(armhf).records) ?? []
    Benchmark("SelectAndOrder.armhf.v6_1-base-relative") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Era.v6_1.select(records, options: Inputs.v61)) }
    }
    Benchmark("SelectAndOrder.armhf.v6_1-all-symbols") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Era.v6_1.select(records, options: Inputs.all61)) }
    }

    let allSymbols = Inputs.stored(armhf, .v6_1, Inputs.all61)
    let textSymbols = Inputs.stored(armhf, .v6_1, Inputs.v61)
    Benchmark(
        "PairCounting.armhf-all-symbols",
        configuration: .init(
            metrics: [.wallClock, .throughput], maxIterations: 200,
            thresholds: [.wallClock: thresholds[.wallClock]!])
    ) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(PairCounter.count(allSymbols)) }
    }
    for engine in CompressionEngine.allCases {
        Benchmark("Compress.\(engine).armhf-all-symbols") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(engine.compress(allSymbols)) }
        }
        Benchmark("Compress.\(engine).armhf-v6_1-base-relative") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(engine.compress(textSymbols)) }
        }
    }

    if let run = try? Era.v6_1.generate(armhf, options: Inputs.v61) {
        Benchmark("Emit.armhf.v6_1-base-relative") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(AssemblyWriter.write(run.tables, symbols: run.selection.symbols, era: .v6_1, options: Inputs.v61))
            }
        }
    }
    Benchmark("EndToEnd.armhf.v6_1-base-relative") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Era.v6_1.generate(armhf, options: Inputs.v61).assembly) }
    }

    // v7.0 --all-symbols --pc-relative at 122 000 x86-64 symbols: the tables (the pc-relative
    // offsets and kallsyms_seqs_of_names) and the .S (about 30 MB, streamed to a sink that
    // discards it), from one generator run made once.
    if let map = Inputs.amd64x122k, let run = try? Era.v7_0.generate(map, options: Inputs.pcRelative70) {
        Benchmark("Tables.amd64-122k.v7_0-all-symbols-pc-relative") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Era.v7_0.tables(for: run.selection, compression: run.compression, options: Inputs.pcRelative70))
            }
        }
        Benchmark("Write.amd64-122k.v7_0-all-symbols-pc-relative") { benchmark in
            for _ in benchmark.scaledIterations {
                var bytes = 0
                run.writeAssembly { bytes += $0.count }
                blackHole(bytes)
            }
        }
    }

    // Growth of the compression core with the input: 20 k, 107 k and 250 k symbols (--all-symbols).
    let growth: [(String, ByteStrings)] = [
        ("20k", Inputs.stored(Inputs.host20k, .v7_0, KallsymsOptions(allSymbols: true))),
        ("107k", allSymbols),
        ("250k", Inputs.stored(Inputs.armhf250k, .v7_0, KallsymsOptions(allSymbols: true))),
    ]
    for (label, symbols) in growth {
        Benchmark("Growth.fast.\(label)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(CompressionEngine.fast.compress(symbols)) }
        }
    }
}
