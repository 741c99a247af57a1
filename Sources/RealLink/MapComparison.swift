import Compressor
import LinkModel

/// Where the model's map of one image differs from the real linker's.
///
/// Known, harmless differences are left out here, and only here: the order of lines with the
/// same address and name under llvm-nm (an unstable sort); undefined weak `w` lines
/// (GNU ld leaves undefined weak symbols out of a static link's symbol table, the model
/// lists the kernel's weak table declarations; mksysmap and kallsyms drop them either way),
/// and ARM/AArch64 mapping symbols (`$a`, `$d`, `$t`, `$x`), which `nm` hides.
public struct MapComparison: Sendable {
    /// Lines only the model's map has, in its order.
    public var onlyInModel: [SymbolRecord]
    /// Lines only the real map has, in its order.
    public var onlyInReal: [SymbolRecord]
    /// The same lines in another order: the first position (1-based) where they differ.
    public var firstOrderDifference: Int?
    /// How many lines the real map has.
    public var realLines: Int

    /// What `knownDifferences` names, for reports.
    public static let knownDifferences = [
        "ties under llvm-nm: it sorts with an unstable sort, so lines of equal address and name come in no defined order",
        "undefined weak symbols (w): GNU ld leaves them out of a static link; the model lists the kernel's weak table declarations",
        "mapping symbols ($a, $d, $t, $x): nm hides them",
    ]

    /// Compares the defined symbols of `model` and `real`. With `tiesAreUnordered` (llvm-nm),
    /// lines of equal address and name are compared as a set.
    public init(model: LinkedMap, real: LinkedMap, tiesAreUnordered: Bool = false) {
        var expected = model.symbols.filter { !Self.isMappingSymbol($0.name) }
        var actual = real.symbols.filter { !Self.isMappingSymbol($0.name) }
        if tiesAreUnordered {
            Self.orderTies(&expected)
            Self.orderTies(&actual)
        }
        realLines = actual.count
        var counts: [Key: Int] = [:]
        for record in actual { counts[Key(record), default: 0] += 1 }
        var onlyInModel: [SymbolRecord] = []
        for record in expected {
            let key = Key(record)
            if let count = counts[key], count > 0 { counts[key] = count - 1 } else { onlyInModel.append(record) }
        }
        var remaining = counts
        onlyInReal = actual.filter { record in
            let key = Key(record)
            guard let count = remaining[key], count > 0 else { return false }
            remaining[key] = count - 1
            return true
        }
        self.onlyInModel = onlyInModel
        firstOrderDifference = nil
        if onlyInModel.isEmpty && onlyInReal.isEmpty {
            firstOrderDifference = expected.indices.first { Key(expected[$0]) != Key(actual[$0]) }.map { $0 + 1 }
        }
    }

    /// Whether the two maps agree (known differences aside).
    public var agrees: Bool { onlyInModel.isEmpty && onlyInReal.isEmpty && firstOrderDifference == nil }

    /// How many lines differ.
    public var differingLines: Int { max(onlyInModel.count, onlyInReal.count) + (firstOrderDifference == nil ? 0 : 1) }

    /// Orders each run of equal address and name by letter.
    static func orderTies(_ records: inout [SymbolRecord]) {
        var start = 0
        while start < records.count {
            var end = start + 1
            while end < records.count && records[end].address == records[start].address && records[end].name == records[start].name {
                end += 1
            }
            if end - start > 1 { records[start..<end].sort { $0.type < $1.type } }
            start = end
        }
    }

    static func isMappingSymbol(_ name: [UInt8]) -> Bool {
        name.first == UInt8(ascii: "$") && (name.count == 2 || name.dropFirst(2).first == UInt8(ascii: "."))
    }

    struct Key: Hashable {
        var address: UInt64
        var type: UInt8
        var name: [UInt8]
        init(_ record: SymbolRecord) {
            address = record.address
            type = record.type
            name = record.name
        }
    }
}
