import Compressor

/// What one era's generator makes of an image's decoded symbols, table by table.
public struct EraVerdict: Sendable {
    public var era: Era
    public var options: KallsymsOptions
    /// The flags besides `--all-symbols` (which only stands for "these are the kept symbols").
    public var flags: String
    /// Tables reproduced byte for byte.
    public var matches: [String]
    /// For each table that differs: its name, then where and how.
    public var differences: [String]
    /// Facts that do not decide (a table the image has and this era does not write).
    public var notes: [String]

    public var reproduces: Bool { differences.isEmpty }
}

/// `verify`: runs each era's generator on the symbols decoded from an image and compares its
/// tables with the image's (issue 18, point 4).
///
/// The decoded symbols are the set the image's generator kept, in its order; they are fed to
/// each era as an `nm` listing with `--all-symbols` (so that no text-range filter applies), with
/// the address flags that write the image's address style where the era has them.
public enum ImageVerifier {
    public static func verify(_ found: FoundTables) -> [EraVerdict] {
        Era.allCases.map { verify(found, era: $0) }
    }

    /// The flags with which `era` writes `style`, or nil when it cannot.
    static func options(for style: AddressStyle, era: Era) -> KallsymsOptions? {
        var options = KallsymsOptions(allSymbols: true)
        switch (style, era.rules.addressStyle) {
        case (.absolute, .addresses), (.absolute, .addressesOrBaseRelative): return options
        case (.baseRelative, .addressesOrBaseRelative):
            options.baseRelative = true
            return options
        case (.absolutePercpu, .addressesOrBaseRelative):
            options.baseRelative = true
            options.absolutePercpu = true
            return options
        case (.baseRelative, .offsetsFromMinimum): return options
        case (.pcRelative, .offsetsOnly):
            options.pcRelative = true
            return options
        case (.absolute32, .offsetsOnly): return options
        default: return nil
        }
    }

    /// The `nm -n` style listing a generator reads back: one `ADDR TYPE NAME` line per symbol.
    /// Per-cpu symbols stored absolute carry `A` in the image; the generator sets that itself.
    static func listing(_ found: FoundTables) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(found.symbols.count * 48)
        var percpu: [Bool]?
        if found.addressStyle == .absolutePercpu, case .baseRelative(let offsets, _, _) = found.raw.addresses {
            percpu = offsets.map { Int32(bitPattern: $0) >= 0 }
        }
        for (index, symbol) in found.symbols.enumerated() {
            let digits = Array(String(symbol.address, radix: 16).utf8)
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, 16 - digits.count)))
            text.append(contentsOf: digits)
            text.append(0x20)
            text.append(percpu?[index] == true && symbol.type == UInt8(ascii: "A") ? UInt8(ascii: "D") : symbol.type)
            text.append(0x20)
            text.append(contentsOf: symbol.name)
            text.append(0x0A)
        }
        return text
    }

    static func verify(_ found: FoundTables, era: Era) -> EraVerdict {
        let chosen = options(for: found.addressStyle, era: era)
        var verdict = EraVerdict(
            era: era, options: chosen ?? KallsymsOptions(allSymbols: true), flags: "",
            matches: [], differences: [], notes: [])
        var flags: [String] = []
        if verdict.options.baseRelative { flags.append("--base-relative") }
        if verdict.options.absolutePercpu { flags.append("--absolute-percpu") }
        if verdict.options.pcRelative { flags.append("--pc-relative") }
        verdict.flags = flags.joined(separator: " ")
        if chosen == nil {
            verdict.differences.append("address table: \(era) cannot write \(found.addressStyle.rawValue) addresses")
        }
        let run: KallsymsRun
        do {
            run = try era.generate(listing(found), options: verdict.options)
        } catch {
            verdict.differences.append("the generator refuses the decoded symbols: \(error)")
            return verdict
        }
        let tables = run.tables
        let raw = found.raw
        if tables.symbolCount != raw.symbolCount {
            verdict.differences.append(countDifference(run, found: found))
        }
        compare("kallsyms_names", tables.names, raw.names, into: &verdict)
        let countSize = era.rules.countsArePointerSized ? found.wordSize : 4
        if countSize != found.countSize {
            verdict.differences.append("kallsyms_markers: \(era) writes \(countSize)-byte entries, the image has \(found.countSize)-byte ones")
        } else {
            compare("kallsyms_markers", tables.markers.map { UInt64($0) }, raw.markers, unit: countSize, into: &verdict)
        }
        compare("kallsyms_token_table", tables.tokenTable, raw.tokenTable, into: &verdict)
        compare("kallsyms_token_index", tables.tokenIndex, raw.tokenIndex, unit: 2, into: &verdict)
        if chosen != nil { compareAddresses(tables.addresses, found: found, into: &verdict) }
        switch (tables.seqsOfNames, raw.seqsOfNames) {
        case (let ours?, let theirs?): compare("kallsyms_seqs_of_names", ours, theirs, unit: 3, into: &verdict)
        case (nil, _?): verdict.notes.append("the image's kallsyms_seqs_of_names is not written by \(era)")
        case (_?, nil): verdict.differences.append("kallsyms_seqs_of_names: \(era) writes one, the image has none")
        case (nil, nil): break
        }
        // The order of the tables in the image is the order the generator printed them.
        let target = found.wordSize == 8 ? TargetABI.arm64 : TargetABI.arm32
        let eraOrder = tables.layout(era: era, target: target).entries.map(\.name)
        let imageOrder = found.locations.map(\.name).filter { eraOrder.contains($0) }
        let common = eraOrder.filter { imageOrder.contains($0) }
        if common != imageOrder {
            verdict.differences.append(
                "table order: \(era) writes \(common.joined(separator: ", ")); the image has "
                    + imageOrder.joined(separator: ", "))
        }
        return verdict
    }

    /// How the era's kept set differs from the image's: which symbols it drops, and whether its
    /// `kallsyms_names` and offsets equal the image's once those are taken out (then the
    /// difference is the selection alone, not the compression).
    static func countDifference(_ run: KallsymsRun, found: FoundTables) -> String {
        let era = run.era
        let raw = found.raw
        var text = "kallsyms_num_syms: \(era) keeps \(run.tables.symbolCount) of the \(raw.symbolCount) symbols"
        // The listing fed to the generator has one line per decoded symbol, in table order.
        var kept = [Bool](repeating: false, count: found.symbols.count)
        for symbol in run.selection.symbols where symbol.line >= 1 && symbol.line <= kept.count { kept[symbol.line - 1] = true }
        let dropped = kept.indices.filter { !kept[$0] }
        guard !dropped.isEmpty, dropped.count == raw.symbolCount - run.tables.symbolCount else { return text }
        let names = dropped.prefix(8).map { printable(found.symbols[$0].name) }
        text += " (drops \(names.joined(separator: ", "))\(dropped.count > 8 ? ", …" : ""))"
        // The image's names stream, one entry per symbol, without the dropped ones.
        var entries: [UInt8] = []
        var offset = 0
        var next = 0
        for index in 0..<raw.symbolCount {
            guard offset < raw.names.count else { return text }
            var length = Int(raw.names[offset])
            var prefix = 1
            if raw.lengthPrefix == .base128 && length & 0x80 != 0 && offset + 1 < raw.names.count {
                length = (length & 0x7F) | Int(raw.names[offset + 1]) << 7
                prefix = 2
            }
            let end = min(offset + prefix + length, raw.names.count)
            if next < dropped.count && dropped[next] == index { next += 1 } else { entries += raw.names[offset..<end] }
            offset = end
        }
        var equal: [String] = []
        if entries == run.tables.names { equal.append("kallsyms_names") }
        if case .baseRelative(let stored, _, _) = raw.addresses, case .baseRelative(let ours, _, _) = run.tables.addresses {
            var remaining = Set(dropped)
            let keptOffsets = stored.indices.compactMap { remaining.remove($0) == nil ? stored[$0] : nil }
            if keptOffsets == ours { equal.append("kallsyms_offsets") }
        }
        if !equal.isEmpty {
            text += "; without them the image's \(equal.joined(separator: " and ")) \(equal.count == 1 ? "is" : "are") \(era)'s byte for byte"
        }
        return text
    }

    static func compare<T: Equatable>(_ name: String, _ ours: [T], _ theirs: [T], unit: Int = 1, into verdict: inout EraVerdict) {
        if ours == theirs {
            verdict.matches.append(name)
            return
        }
        let first = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, theirs.count)
        let where_ = unit == 1 ? "byte \(first)" : "entry \(first) (byte \(first * unit))"
        if first == min(ours.count, theirs.count) {
            verdict.differences.append("\(name): \(ours.count * unit) bytes written, \(theirs.count * unit) in the image; equal up to \(where_)")
        } else {
            verdict.differences.append("\(name) differs at \(where_)")
        }
    }

    static func compareAddresses(_ ours: AddressTable, found: FoundTables, into verdict: inout EraVerdict) {
        let text = found.symbols.first { $0.name == Array("_text".utf8) }?.address ?? 0
        switch (ours, found.raw.addresses) {
        case (.baseRelative(let offsets, let base, _), .baseRelative(let stored, let storedBase, _)):
            compare("kallsyms_offsets", offsets, stored, unit: 4, into: &verdict)
            if base.resolved(text: text) == storedBase.resolved(text: 0) {
                verdict.matches.append("kallsyms_relative_base")
            } else {
                verdict.differences.append(
                    "kallsyms_relative_base: \(verdict.era) writes \(hex(base.resolved(text: text))), the image has \(hex(storedBase.resolved(text: 0)))")
            }
        default:
            let count = min(ours.count, found.symbols.count)
            if let index = (0..<count).first(where: { ours.address(at: $0, text: text) != found.symbols[$0].address }) {
                verdict.differences.append("\(found.addressStyle == .absolute ? "kallsyms_addresses" : "kallsyms_offsets") differs at entry \(index)")
            } else {
                verdict.matches.append(found.addressStyle == .absolute ? "kallsyms_addresses" : "kallsyms_offsets")
            }
        }
    }
}
