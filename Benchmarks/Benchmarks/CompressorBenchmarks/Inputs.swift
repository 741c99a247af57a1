import Compressor
import Foundation

/// The inputs of the benchmarks, read from the package's `Tests/Corpus`.
enum Inputs {
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // CompressorBenchmarks, Benchmarks, Benchmarks, root
        return url.appendingPathComponent("Tests/Corpus").path
    }()

    static func file(_ relative: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: corpus + "/" + relative) else {
            fatalError("missing benchmark input \(corpus)/\(relative)")
        }
        return [UInt8](data)
    }

    /// The armhf System.map: 107 103 symbols, 3.5 MB.
    static let armhf = file("armhf-armmp-6.1.176/System.map")
    /// The first 20 000 lines of a real x86-64 /proc/kallsyms (a golden input).
    static let host20k = file("golden/inputs/host-20k.map")
    /// About 250 000 symbols: the armhf map, then renamed copies of it placed after it.
    static let armhf250k: [UInt8] = {
        let records = (try? Era.v6_19.parse(armhf).records) ?? []
        var all = records
        var copy = 1
        let span = (records.last?.address ?? 0) &- (records.first?.address ?? 0) &+ 0x1000
        while all.count < 250_000 {
            for record in records where all.count < 250_000 {
                var renamed = record
                renamed.name += Array(".\(copy)".utf8)
                renamed.address = record.address &+ span &* UInt64(copy)
                all.append(renamed)
            }
            copy += 1
        }
        return MapWriter.write(all)
    }()

    static func stored(_ input: [UInt8], _ era: Era, _ options: GeneratorOptions) -> ByteStrings {
        (try? era.select(era.parse(input).records, options: options).storedStrings) ?? ByteStrings()
    }

    static let v61 = GeneratorOptions(baseRelative: true)
    static let all61 = GeneratorOptions(allSymbols: true)
}
