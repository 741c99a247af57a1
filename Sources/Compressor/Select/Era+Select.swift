extension Era {
    /// Keeps the symbols this era's generator keeps, in its address order (spec §3, §4.1).
    ///
    /// Applies the read-time rules, the text-range filter (unless `--all-symbols`) with its
    /// `_etext`/`_einittext` corner case, v6.19+'s `__start_`/`__stop_` exception, v3.3's
    /// pass-varying names, and v5.10/v6.1's `--absolute-percpu` rewrite, then sorts.
    /// - Throws: `unsupportedOption` for a flag the era lacks; `noValidSymbol` when v3.3–v6.1
    ///   would keep nothing.
    public func select(_ records: [SymbolRecord], options: GeneratorOptions) throws -> Selection {
        try validate(options)
        let rules = self.rules
        var state = SelectionState(rules: rules, options: options)
        var accepted: [KeptSymbol] = []
        accepted.reserveCapacity(records.count)
        for record in records where state.acceptsAtReadTime(record) {
            accepted.append(KeptSymbol(address: record.address, type: record.type, name: record.name,
                                       position: accepted.count, line: record.line))
        }
        var kept = accepted.filter { state.isValid($0) }
        // The per-cpu range is empty unless both markers were kept (spec §3.4).
        if options.absolutePercpu && rules.recordsPercpuMarkers,
           let percpuStart = state.percpuStart, let percpuEnd = state.percpuEnd {
            for index in kept.indices where percpuStart <= kept[index].address && kept[index].address <= percpuEnd {
                kept[index].type = UInt8(ascii: "A")
                kept[index].isPercpuAbsolute = true
            }
        }
        if kept.isEmpty && rules.refusesEmptySelection {
            throw KallsymsError(.noValidSymbol, "No valid symbol.")
        }
        return Selection(symbols: AddressOrder.sorted(kept), textAddress: state.textAddress,
                         recordsRead: records.count)
    }
}

/// The markers seen while reading and the rules that use them.
struct SelectionState {
    let rules: EraRules
    let options: GeneratorOptions
    var textAddress: UInt64 = 0
    /// `[start, end]` per text range; a range whose markers were not seen stays `[0, 0]`.
    var ranges: [(start: UInt64, end: UInt64)]
    private let rangeStartNames: [[UInt8]]
    private let rangeEndNames: [[UInt8]]
    var percpuStart: UInt64?
    var percpuEnd: UInt64?

    private static let textName = Array("_text".utf8)
    private static let percpuStartName = Array("__per_cpu_start".utf8)
    private static let percpuEndName = Array("__per_cpu_end".utf8)
    private static let startPrefix = Array("__start_".utf8)
    private static let stopPrefix = Array("__stop_".utf8)

    init(rules: EraRules, options: GeneratorOptions) {
        self.rules = rules
        self.options = options
        ranges = Array(repeating: (0, 0), count: rules.textRanges.count)
        rangeStartNames = rules.textRanges.map { Array($0.start.utf8) }
        rangeEndNames = rules.textRanges.map { Array($0.end.utf8) }
    }

    /// The name the rules compare: v3.3 strips one leading `--symbol-prefix` character.
    func comparedName(_ name: [UInt8]) -> ArraySlice<UInt8> {
        if let prefix = options.symbolPrefix, name.first == prefix { return name.dropFirst() }
        return name[...]
    }

    /// Records a range marker; returns whether `name` was one.
    mutating func recordRangeMarker(_ name: ArraySlice<UInt8>, _ address: UInt64) -> Bool {
        for index in ranges.indices {
            if name.elementsEqual(rangeStartNames[index]) {
                ranges[index].start = address
                return true
            }
            if name.elementsEqual(rangeEndNames[index]) {
                ranges[index].end = address
                return true
            }
        }
        return false
    }

    /// The read-time rules of spec §3.1; records markers as a side effect.
    mutating func acceptsAtReadTime(_ record: SymbolRecord) -> Bool {
        let name = comparedName(record.name)
        let isText = name.elementsEqual(Self.textName)
        if rules.markersBypassReadTimeRules {
            if isText {
                textAddress = record.address
                return true
            }
            if recordRangeMarker(name, record.address) { return true }
            if isIgnored(record, name) { return false }
            return true
        }
        if isText { textAddress = record.address }
        if isIgnored(record, name) { return false }
        _ = recordRangeMarker(name, record.address)
        if rules.recordsPercpuMarkers {
            if name.elementsEqual(Self.percpuStartName) { percpuStart = record.address }
            else if name.elementsEqual(Self.percpuEndName) { percpuEnd = record.address }
        }
        return true
    }

    private func isIgnored(_ record: SymbolRecord, _ name: ArraySlice<UInt8>) -> Bool {
        let type = record.type
        if type == UInt8(ascii: "A") || type == UInt8(ascii: "a") {
            return !EraRules.absoluteWhitelist.contains(Array(name))
        }
        if rules.ignoredTypes.contains(type) { return true }
        if rules.dropsMappingAndDollarSymbols {
            if Self.isARMMappingSymbol(name) || record.name.first == UInt8(ascii: "$") { return true }
        }
        if !rules.ignoredNames.isEmpty && rules.ignoredNames.contains(Array(name)) { return true }
        for prefix in rules.ignoredPrefixes where name.starts(with: prefix) { return true }
        for suffix in rules.ignoredSuffixes where name.reversed().starts(with: suffix.reversed()) { return true }
        for infix in rules.ignoredSubstrings where name.containsSubsequence(infix) { return true }
        return false
    }

    /// `$a`, `$t`, `$d`, alone or followed by `.` and anything (v3.3).
    static func isARMMappingSymbol(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count >= 2, name.first == UInt8(ascii: "$") else { return false }
        let kind = name[name.startIndex + 1]
        guard kind == UInt8(ascii: "a") || kind == UInt8(ascii: "t") || kind == UInt8(ascii: "d") else { return false }
        return name.count == 2 || name[name.startIndex + 2] == UInt8(ascii: ".")
    }

    /// The validity stage of spec §3.2.
    func isValid(_ symbol: KeptSymbol) -> Bool {
        let name = comparedName(symbol.name)
        if !options.allSymbols {
            let startStop = rules.alwaysKeepsStartStopSymbols
                && (name.starts(with: Self.startPrefix) || name.starts(with: Self.stopPrefix))
            if !startStop {
                guard ranges.contains(where: { $0.start <= symbol.address && symbol.address <= $0.end }) else {
                    return false
                }
                // Symbols at _etext / _einittext may move across the boundary between passes.
                for index in 0..<min(2, ranges.count)
                where symbol.address == ranges[index].end && !name.elementsEqual(rangeEndNames[index]) {
                    return false
                }
            }
        }
        if rules.passVaryingNames.contains(Array(name)) { return false }
        for infix in rules.passVaryingSubstrings where name.containsSubsequence(infix) { return false }
        return true
    }
}

extension Collection where Element == UInt8 {
    /// Whether `needle` occurs as a contiguous run (C `strstr`).
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard count >= needle.count else { return false }
        var start = startIndex
        while distance(from: start, to: endIndex) >= needle.count {
            if self[start...].starts(with: needle) { return true }
            formIndex(after: &start)
        }
        return false
    }
}
