import Compressor
import Foundation

/// Where the test data lives: `Tests/Corpus` of this checkout (found from this file's path,
/// so tests never need files outside the repository).
public enum Corpus {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()  // TestSupport
        url.deleteLastPathComponent()  // Tests
        return url.appendingPathComponent("Corpus").path
    }()

    public static func path(_ relative: String) -> String { root + "/" + relative }

    public static func bytes(_ relative: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(relative)) else {
            fatalError("missing test corpus file \(path(relative))")
        }
        return [UInt8](data)
    }

    /// The regular files in a corpus folder (none when it does not exist), sorted.
    public static func files(in relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The regular files in a corpus folder, sorted; throws when the folder is missing or
    /// empty, so a loop over them cannot pass by checking nothing.
    public static func requiredFiles(in relative: String) throws -> [String] {
        let names = files(in: relative)
        guard !names.isEmpty else { throw MissingCorpus(folder: path(relative)) }
        return names
    }

    /// A corpus folder a test needs is missing or empty.
    public struct MissingCorpus: Error, CustomStringConvertible {
        public var folder: String
        public var description: String { "no files in \(folder): the test would check nothing" }
    }

    public static func text(_ relative: String) -> String { String(decoding: bytes(relative), as: UTF8.self) }

    /// The armhf kernel folder.
    public static let armhf = "armhf-armmp-6.1.176"
    public static var armhfMap: [UInt8] { bytes(armhf + "/System.map") }

    /// One row of `golden/MANIFEST.tsv`.
    public struct GoldenRun: Sendable, CustomStringConvertible {
        public var era: Era
        public var input: String
        public var flags: [String]
        public var succeeds: Bool
        public var sha256: String

        public var options: KallsymsOptions {
            KallsymsOptions(
                allSymbols: flags.contains("--all-symbols"),
                absolutePercpu: flags.contains("--absolute-percpu"),
                baseRelative: flags.contains("--base-relative"),
                pcRelative: flags.contains("--pc-relative"))
        }

        /// The name of the golden file: `small.all-symbols+base-relative.S`.
        public var goldenFileStem: String {
            let stem = input.replacingOccurrences(of: ".map", with: "")
            let flagPart = flags.isEmpty ? "default" : flags.map { String($0.dropFirst(2)) }.joined(separator: "+")
            return "\(stem).\(flagPart)"
        }

        public var description: String { "\(era) \(input) \(flags.isEmpty ? "(default)" : flags.joined(separator: " "))" }
    }

    /// All 566 golden runs.
    public static let goldenRuns: [GoldenRun] = {
        text("golden/MANIFEST.tsv").split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return GoldenRun(
                era: Era(name: fields[0])!, input: fields[1],
                flags: fields[2] == "-" ? [] : fields[2].split(separator: " ").map(String.init),
                succeeds: fields[3] == "ok", sha256: fields[5])
        }
    }()

    /// The golden inputs by file name.
    public static func goldenInput(_ name: String) -> [UInt8] { bytes("golden/inputs/" + name) }
}

extension Array where Element == UInt8 {
    /// The bytes as text (for messages).
    public var text: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    /// The UTF-8 bytes.
    public var bytes: [UInt8] { Array(utf8) }
}
