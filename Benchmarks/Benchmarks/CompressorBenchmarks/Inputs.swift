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

    /// The first 122 000 lines of a real x86-64 `System.map` (Debian 6.12.117, amd64), the size
    /// of a 122 000-symbol `/proc/kallsyms`. The map is not in the repository: it is read
    /// (through `xz -dc`) from the `System.map.xz` that `KALLSYMS_LAB_AMD64_MAP` names, and without
    /// it the benchmarks that need it are not registered.
    static let amd64x122k: [UInt8]? = {
        guard let path = ProcessInfo.processInfo.environment["KALLSYMS_LAB_AMD64_MAP"],
            FileManager.default.fileExists(atPath: path)
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xz", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var lines = 0
        var end = 0
        for (offset, byte) in data.enumerated() where byte == UInt8(ascii: "\n") {
            lines += 1
            if lines == 122_000 {
                end = offset + 1
                break
            }
        }
        return lines == 122_000 ? [UInt8](data.prefix(end)) : nil
    }()

    static func stored(_ input: [UInt8], _ era: Era, _ options: KallsymsOptions) -> ByteStrings {
        (try? era.select(era.parse(input).records, options: options).storedStrings) ?? ByteStrings()
    }

    static let v61 = KallsymsOptions(baseRelative: true)
    static let all61 = KallsymsOptions(allSymbols: true)
    static let pcRelative70 = KallsymsOptions(allSymbols: true, pcRelative: true)
}
