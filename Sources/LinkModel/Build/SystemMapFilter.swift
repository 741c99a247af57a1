import Compressor

/// An era's `scripts/mksysmap`: the lines of `nm -n` that do not go into `System.map`
/// (and, from v6.1 on, into the `.syms` file kallsyms reads) (docs/behaviour.md §3.1 last
/// paragraphs, §8).
///
/// Each rule is the `grep -v` / `sed` pattern of the era's script applied to one `nm` line
/// `ADDRESS TYPE NAME`; as `nm` names hold no blanks, a pattern `' X'` is a name prefix.
public struct SystemMapFilter: Hashable, Sendable {
    /// Type letters whose lines are deleted (`' [aNUw] '`: lowercase `a` only).
    public var droppedTypes: Set<UInt8>
    /// Name prefixes whose lines are deleted.
    public var droppedPrefixes: [[UInt8]]
    /// Byte strings anywhere in the name.
    public var droppedSubstrings: [[UInt8]]
    /// Name suffixes.
    public var droppedSuffixes: [[UInt8]]
    /// Exact names.
    public var droppedNames: Set<[UInt8]>
    /// v6.19+: `__<alnum>*Thunk_` prefixes (linker branch thunks) and `__UNIQUE_ID_modinfo<digits>`.
    public var dropsThunksAndModinfo: Bool

    private static func bytes(_ list: [String]) -> [[UInt8]] { list.map { Array($0.utf8) } }
    private static let types: Set<UInt8> = [UInt8(ascii: "a"), UInt8(ascii: "N"), UInt8(ascii: "U"), UInt8(ascii: "w")]

    /// v3.3: `grep -v '\( [aNUw] \)\|\(__crc_\)\|\( \$[adt]\)'`.
    public static let v3_3 = SystemMapFilter(
        droppedTypes: types, droppedPrefixes: bytes(["$a", "$d", "$t"]), droppedSubstrings: bytes(["__crc_"]),
        droppedSuffixes: [], droppedNames: [], dropsThunksAndModinfo: false)

    /// v5.10: v3.3's patterns and `' \.L'`.
    public static let v5_10 = SystemMapFilter(
        droppedTypes: types, droppedPrefixes: bytes(["$a", "$d", "$t", ".L"]), droppedSubstrings: bytes(["__crc_"]),
        droppedSuffixes: [], droppedNames: [], dropsThunksAndModinfo: false)

    /// v6.1 (assumption, docs/behaviour.md §3.1 says only that `$`, `.L` and `__crc_` moved here
    /// from kallsyms.c): `' [aNUw] '`, `' \$'`, `' \.L'`, `' __crc_'`, `' __kstrtab_'`,
    /// `' __kstrtabns_'`, `' L0$'`.
    public static let v6_1 = SystemMapFilter(
        droppedTypes: types, droppedPrefixes: bytes(["$", ".L", "__crc_", "__kstrtab_", "__kstrtabns_"]),
        droppedSubstrings: [], droppedSuffixes: [], droppedNames: Set(bytes(["L0"])), dropsThunksAndModinfo: false)

    /// v6.19 and v7.0: the sed script of docs/behaviour.md §3.1.
    public static let v6_19 = SystemMapFilter(
        droppedTypes: types,
        droppedPrefixes: bytes([
            "$", ".L", "__efistub_", "__pi_$", "__pi_.L", "__kvm_nvhe_$", "__kvm_nvhe_.L",
            "__kcfi_typeid_", "__kvm_nvhe___kcfi_typeid_", "__pi___kcfi_typeid_", "__crc_",
            "__kstrtab_", "__kstrtabns_", "__mod_device_table__",
        ]),
        droppedSubstrings: bytes([".long_branch.", ".plt_branch."]),
        droppedSuffixes: bytes(["_from_arm", "_from_thumb", "_veneer"]),
        droppedNames: Set(bytes(["L0", "_SDA_BASE_", "_SDA2_BASE_"])),
        dropsThunksAndModinfo: true)

    /// Whether the line of `record` survives.
    public func keeps(_ record: SymbolRecord) -> Bool { Matcher(self).keeps(record) }

    /// The records that survive, in order.
    public func apply(_ records: [SymbolRecord]) -> [SymbolRecord] {
        let matcher = Matcher(self)
        return records.filter(matcher.keeps)
    }

    /// `apply(records)`, reusing the verdicts on an earlier map: a line whose letter and name
    /// equal those of `earlier`'s line at the same index has that line's verdict (a verdict
    /// depends on those two alone); the other lines are matched. Returns every line's verdict
    /// too, for the next map to reuse. O(n) comparisons of names (a name shared with the
    /// earlier map compares by identity) instead of matching every name.
    public func apply(
        _ records: [SymbolRecord], reusing earlier: (records: [SymbolRecord], keeps: [Bool])?
    ) -> (kept: [SymbolRecord], keeps: [Bool]) {
        let matcher = Matcher(self)
        var keeps = [Bool](repeating: false, count: records.count)
        var kept: [SymbolRecord] = []
        kept.reserveCapacity(records.count)
        let old = earlier?.records ?? [], oldKeeps = earlier?.keeps ?? []
        let reusable = min(old.count, oldKeeps.count)
        for index in records.indices {
            let record = records[index]
            let keep =
                index < reusable && old[index].type == record.type && old[index].name == record.name
                ? oldKeeps[index] : matcher.keeps(record)
            keeps[index] = keep
            if keep { kept.append(record) }
        }
        return (kept, keeps)
    }

    /// The filter's patterns compiled into `NameMatcher`s (bucketed by the byte that must
    /// match first), so that most names are kept after a table look-up or two.
    private struct Matcher {
        let filter: SystemMapFilter
        var droppedType = [Bool](repeating: false, count: 256)
        let prefixes: NameMatcher, names: NameMatcher, suffixes: NameMatcher, substrings: NameMatcher
        /// An empty prefix, suffix or substring matches every name.
        let dropsEveryName: Bool

        init(_ filter: SystemMapFilter) {
            self.filter = filter
            for type in filter.droppedTypes { droppedType[Int(type)] = true }
            prefixes = NameMatcher(filter.droppedPrefixes, mode: .prefix)
            names = NameMatcher(filter.droppedNames, mode: .exact)
            suffixes = NameMatcher(filter.droppedSuffixes, mode: .suffix)
            substrings = NameMatcher(filter.droppedSubstrings, mode: .substring)
            dropsEveryName =
                filter.droppedPrefixes.contains(where: \.isEmpty) || filter.droppedSuffixes.contains(where: \.isEmpty)
                || filter.droppedSubstrings.contains(where: \.isEmpty)
        }

        func keeps(_ record: SymbolRecord) -> Bool {
            if droppedType[Int(record.type)] || dropsEveryName { return false }
            return record.name.withUnsafeBufferPointer { name in
                guard let first = name.first else { return !filter.droppedNames.contains([]) }
                if prefixes.matches(name) || names.matches(name) || suffixes.matches(name) || substrings.matches(name) {
                    return false
                }
                return
                    !(filter.dropsThunksAndModinfo && first == UInt8(ascii: "_")
                    && (SystemMapFilter.isThunk(name) || SystemMapFilter.isModinfoID(name)))
            }
        }
    }

    private static let thunk = Array("Thunk_".utf8)
    private static let modinfo = Array("__UNIQUE_ID_modinfo".utf8)

    /// `^__[[:alnum:]]*Thunk_`.
    static func isThunk(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count >= 8, name[0] == UInt8(ascii: "_"), name[1] == UInt8(ascii: "_") else { return false }
        var index = 2
        while index < name.count {
            if name[index] == UInt8(ascii: "T") && occurs(thunk, in: name, at: index) { return true }
            let byte = name[index]
            let isAlnum = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            guard isAlnum else { return false }
            index += 1
        }
        return false
    }

    /// `^__UNIQUE_ID_modinfo[0-9]*$`.
    static func isModinfoID(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        occurs(modinfo, in: name, at: 0) && name[modinfo.count...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Whether `pattern` occurs in `name` at `offset`.
    private static func occurs(_ pattern: [UInt8], in name: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset + pattern.count <= name.count else { return false }
        for k in pattern.indices where pattern[k] != name[offset + k] { return false }
        return true
    }
}
