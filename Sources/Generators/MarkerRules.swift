/// Which symbols a profile treats as fixed landmarks rather than as samples of the name model:
/// the linker-script symbols that bound the kernel's regions and sections.
public enum MarkerRules {
    /// The region boundaries, in the order of a 32-bit ARM 6.1 image: a region's name and the
    /// symbols that may open it (the first one present wins). A profile's regions are the
    /// boundaries present in a map, sorted by address; symbols below the first form the region
    /// `"low"`, symbols above `_end` the region `"high"`.
    public static let regionBoundaries: [(region: String, openedBy: [String])] = [
        ("head text", ["_text"]),
        ("text", ["_stext"]),
        ("rodata", ["__start_rodata", "_etext"]),
        ("init", ["__init_begin", "_sinittext"]),
        ("per-cpu", ["__per_cpu_load", "__per_cpu_start"]),
        ("data", ["_sdata", "__data_loc"]),
        ("bss", ["__bss_start"]),
    ]

    /// Boundary markers, most important first: a generated map with fewer symbols than
    /// markers keeps the first ones of this list. They are markers whatever their type.
    public static let boundaryNames: [String] = [
        "_text", "_stext", "_etext", "_sinittext", "_einittext",
        "__per_cpu_start", "__per_cpu_end", "__per_cpu_load", "__data_loc", "_sdata", "_edata",
        "__bss_start", "__bss_stop", "_end", "__init_begin", "__init_end",
        "__start_rodata", "__end_rodata", "__idmap_text_start", "__idmap_text_end",
    ]

    static let boundaryPriority: [[UInt8]: Int] = {
        var priority: [[UInt8]: Int] = [:]
        for (index, name) in boundaryNames.enumerated() { priority[Array(name.utf8)] = index }
        return priority
    }()

    /// Whether a symbol is a marker: a boundary name, or a global symbol (uppercase type) whose
    /// name looks linker-provided in the sense of docs/behaviour.md §4.1 rule 3 (`__start_foo`,
    /// `__stop___ksymtab`, `__initcall_end`, …).
    public static func isMarker(name: [UInt8], type: UInt8) -> Bool {
        if boundaryPriority[name] != nil { return true }
        return type >= UInt8(ascii: "A") && type <= UInt8(ascii: "Z") && looksLinkerProvided(name)
    }

    /// Whether a marker is one of `boundaryNames` (kept in every generated map large enough).
    public static func isBoundary(_ name: [UInt8]) -> Bool {
        // Every boundary name starts with `_`: most generated names (one test per name drawn,
        // 107 000 per layout) are rejected by their first byte or length without hashing.
        guard name.count >= boundaryLengths.lowerBound, name.count <= boundaryLengths.upperBound,
            name[0] == UInt8(ascii: "_")
        else { return false }
        return boundaryPriority[name] != nil
    }

    /// The shortest and longest boundary name (`isBoundary`'s quick test).
    static let boundaryLengths: ClosedRange<Int> = {
        precondition(boundaryNames.allSatisfy { $0.hasPrefix("_") }, "isBoundary assumes a leading _")
        let lengths = boundaryNames.map(\.utf8.count)
        return lengths.min()!...lengths.max()!
    }()

    /// docs/behaviour.md §4.1 rule 3: at least 8 bytes, starts with `__`, and either continues with
    /// `start_`, `stop_` or `end_`, or ends with `_start` or `_end`.
    public static func looksLinkerProvided(_ name: [UInt8]) -> Bool {
        guard name.count >= 8, name[0] == UInt8(ascii: "_"), name[1] == UInt8(ascii: "_") else { return false }
        let rest = name.dropFirst(2)
        return rest.starts(with: "start_".utf8) || rest.starts(with: "stop_".utf8)
            || rest.starts(with: "end_".utf8) || name.reversed().starts(with: "trats_".utf8)
            || name.reversed().starts(with: "dne_".utf8)
    }

    /// Whether a type letter marks a weak symbol (`W`, `w`, `V`, `v`).
    public static func isWeak(_ type: UInt8) -> Bool {
        type == UInt8(ascii: "W") || type == UInt8(ascii: "w") || type == UInt8(ascii: "V") || type == UInt8(ascii: "v")
    }

    /// An equal-address group at least this large, at least half weak, is learned as an
    /// alias block (the 79 `sys_*` aliases of `sys_ni_syscall` on 32-bit ARM).
    public static let minimumAliasBlockSize = 8
}
