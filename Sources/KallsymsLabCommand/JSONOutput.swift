import Foundation

/// `--json` output: a `Codable` value through `JSONEncoder`, keys sorted (a stable order for
/// diffs and snapshots), slashes unescaped (paths stay readable), one line. Absent optionals
/// are left out.
enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
